"""`python -m tests.screenshots`: regenerate docs/*.png by running the browser test with screenshots kept."""

from __future__ import annotations

import os
import sys

import pytest

from .conftest import ROOT


def main() -> int:
    os.environ["XZQA_SCREENSHOTS"] = str(ROOT / "docs")
    return pytest.main(["-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_browser.py")])


if __name__ == "__main__":
    sys.exit(main())
