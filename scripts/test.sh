#!/usr/bin/env bash
# Set up (if needed) and run the linter and the whole test suite, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
ruff check .
python -m pytest -q "$@"
