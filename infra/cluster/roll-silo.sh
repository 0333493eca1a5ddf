#!/usr/bin/env bash
# One step of a rolling restart, as a Kubernetes rollout does it: take silo I out of nginx (graceful reload: requests
# in flight finish), SIGTERM it and wait for it to exit (it drains its requests, then its silo leaves the cluster,
# handing its grains and reminders over), start it again, wait until ready, and put it back in nginx.
#   usage: infra/cluster/roll-silo.sh I
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$CLUSTER_DIR/postgres.conn" ] && [ -f "$PIDS" ] || { log "no cluster running; start.sh first"; exit 1; }
started=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - started) / 1000000 )) ms"; }

drain_silo "$1"
log "silo$1 drained from nginx ($(elapsed))"
stop_pid "silo$1" 40
log "silo$1 exited after SIGTERM ($(elapsed))"
start_silo "$1"
wait_ready "silo$1" "http://127.0.0.1:$(silo_port "$1")/health/ready"
log "silo$1 ready again ($(elapsed))"
undrain_silo "$1"
log "silo$1 back in nginx ($(elapsed))"
