#!/usr/bin/env bash
# Sets everything up, then runs the test suite (offline: nothing leaves 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
