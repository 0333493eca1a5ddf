#!/usr/bin/env bash
# Stop the local cluster recorded in .cluster/pids: nginx, silos (SIGTERM, then wait), PostgreSQL, Azurite.
#   usage: infra/cluster/stop.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$PIDS" ] || { log "nothing recorded in $PIDS"; exit 0; }

# nginx first, so no new request reaches a silo that is going away. SIGQUIT is nginx's graceful shutdown.
pid=$(pid_of nginx)
if is_ours "$pid"; then
  kill -QUIT "$pid"
  for _ in $(seq 50); do is_ours "$pid" || break; sleep 0.1; done
  stop_pid nginx 1
fi
# Silos get SIGTERM together (each drains its requests, up to a 6 s long poll), then are waited for.
for name in $(awk '$1 ~ /^(silo[0-9]+|bare)$/ { print $1 }' "$PIDS"); do
  pid=$(pid_of "$name"); is_ours "$pid" && kill -TERM "$pid"
done
for name in $(awk '$1 ~ /^(silo[0-9]+|bare)$/ { print $1 }' "$PIDS"); do stop_pid "$name" 15; done
bash "$REPO/infra/postgres/stop-throwaway.sh" "$PGDATA_DIR" >/dev/null
[ -z "$(pid_of azurite)" ] || bash "$REPO/infra/azurite/stop.sh" "$AZURITE_DATA_DIR"
rm -f "$PIDS"
log "stopped"
