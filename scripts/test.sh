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
# The store's backend tests also run on PostgreSQL: tests/conftest.py starts a throwaway
# server (initdb in a temp folder, a free loopback port) and stops it after. Install
# Debian's server when missing and we can; otherwise those tests say why they skip.
# ROUNDTABLE_TEST_POSTGRES=postgresql://... uses a server you already run instead.
if [ -z "${ROUNDTABLE_TEST_POSTGRES:-}" ] && ! command -v initdb >/dev/null 2>&1 \
    && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing PostgreSQL for the store's backend tests..." >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }; then
        echo "Could not install PostgreSQL; the PostgreSQL backend tests will be skipped." >&2
    fi
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
