#!/usr/bin/env bash
# Stop the Azurite that start.sh started from DATADIR, by the pid it recorded there.
#   usage: infra/azurite/stop.sh [DATADIR]   (default as in start.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DATADIR=$(realpath -m "${1:-$(default_datadir)}")
pid=$(running_pid "$DATADIR")
if [ -z "$pid" ]; then
  echo "azurite/stop: nothing running from $DATADIR" >&2
  exit 0
fi
kill "$pid"
for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 0.1
done
echo "azurite/stop: pid $pid did not stop in 5 s; killing it" >&2
kill -9 "$pid" 2>/dev/null || true
