#!/usr/bin/env bash
# Refresh docs/screenshot-start.png (the 入门 tab) in headless Chromium; ordinary test runs leave it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
python -m pytest -q tests/test_browser.py -k onboarding --screenshots "$@"
