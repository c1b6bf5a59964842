#!/usr/bin/env bash
# Set up (if needed), build the index if missing, and serve the chat page on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
exec python -m app "$@"
