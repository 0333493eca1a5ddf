#!/usr/bin/env bash
# (Re)start silo I with its port and node id, stopping it gracefully first if it still runs; waits until ready.
#   usage: infra/cluster/restart-silo.sh I
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$CLUSTER_DIR/postgres.conn" ] && [ -f "$PIDS" ] || { log "no cluster running; start.sh first"; exit 1; }
stop_pid "silo$1" 15
start_silo "$1"
wait_ready "silo$1" "http://127.0.0.1:$(silo_port "$1")/health/ready"
log "silo$1 ready on 127.0.0.1:$(silo_port "$1") (pid $(pid_of "silo$1"))"
