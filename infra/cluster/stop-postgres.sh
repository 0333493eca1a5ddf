#!/usr/bin/env bash
# Stop the cluster's PostgreSQL (fast shutdown: open connections are cut), for fault tests; the silos keep running.
# Bring it back with start-postgres.sh.
#   usage: infra/cluster/stop-postgres.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$CLUSTER_DIR/postgres.conn" ] && [ -f "$PIDS" ] || { log "no cluster running; start.sh first"; exit 1; }
bash "$REPO/infra/postgres/stop-throwaway.sh" "$PGDATA_DIR" >/dev/null
log "postgres stopped"
