#!/usr/bin/env bash
# Sets everything up, then replays the bundled demo event; outputs land in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
exec .venv/bin/roundtable demo "$@"
