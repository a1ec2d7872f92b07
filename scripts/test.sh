#!/usr/bin/env bash
# Sets everything up, then runs the test suite (offline: nothing leaves 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
# The dashboard's browser tests drive Debian's Chromium (Playwright can't download its own
# browser here). Install it when missing and we can; otherwise those tests say why they skip.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the dashboard's browser tests..." >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
        echo "Could not install Chromium; the browser tests will be skipped." >&2
    fi
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
