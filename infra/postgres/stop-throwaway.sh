#!/usr/bin/env bash
# Stop the throwaway PostgreSQL started by start-throwaway.sh.
#   usage: infra/postgres/stop-throwaway.sh [DATADIR]   (default as in start-throwaway.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DATADIR=$(realpath -m "${1:-$(default_datadir)}")
BIN=$(find_bin)

if [ -z "$BIN" ] || ! as_pg "$BIN/pg_ctl" status -D "$DATADIR" >/dev/null 2>&1; then
  echo "stop-throwaway: nothing running from $DATADIR" >&2
  exit 0
fi
as_pg "$BIN/pg_ctl" stop -m fast -w -D "$DATADIR"
