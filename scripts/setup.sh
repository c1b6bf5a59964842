#!/usr/bin/env bash
# Create .venv and install the project's requirements (idempotent). Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
if [ "${1:-}" = "dev" ]; then
  python -m pip install -q -r requirements-dev.txt
  # a real headless browser for the UI test
  if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      (apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null) \
        || echo "warning: could not install chromium; the browser test will be skipped" >&2
    fi
  fi
else
  python -m pip install -q -r requirements.txt
fi
