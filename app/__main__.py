"""`python -m app [serve|ask]`."""

import sys

from .cli import main

sys.exit(main())
