#!/usr/bin/env bash
# Set up (if needed) and run the linter and the whole test suite, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
ruff check .
# two workers, one test file each at a time (module fixtures such as the rebuilt model stay in one process)
python -m pytest -q -n "${XZQA_TEST_WORKERS:-2}" --dist loadfile "$@"
