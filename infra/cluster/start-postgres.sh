#!/usr/bin/env bash
# Start the cluster's PostgreSQL again on its port and data (after stop-postgres.sh); waits until it answers.
#   usage: infra/cluster/start-postgres.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$CLUSTER_DIR/postgres.conn" ] && [ -f "$PIDS" ] || { log "no cluster running; start.sh first"; exit 1; }
bash "$REPO/infra/postgres/start-throwaway.sh" "$CLUSTER_PG_PORT" "$PGDATA_DIR" >/dev/null
record_pid postgres "$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
log "postgres started on 127.0.0.1:$CLUSTER_PG_PORT"
