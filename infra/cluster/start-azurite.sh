#!/usr/bin/env bash
# Start the cluster's Azurite again on its data and ports (after stop-azurite.sh); waits until it answers. The silos
# keep their connection string, so Azurite must come back on the same ports: if another process took one meanwhile,
# this fails. A cluster that will restart Azurite had best choose them (CLUSTER_AZURITE_PORT) outside the range other
# Azurites take free ports from (10000 up), as the fault tests do.
#   usage: infra/cluster/start-azurite.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$CLUSTER_DIR/azurite.conn" ] && [ -f "$PIDS" ] || { log "no AzureStorage cluster running; CLUSTER_STORAGE=AzureStorage start.sh first"; exit 1; }
conn=$(AZURITE_PORT=$CLUSTER_AZURITE_PORT bash "$REPO/infra/azurite/start.sh" "$AZURITE_DATA_DIR")
record_pid azurite "$(cat "$AZURITE_DATA_DIR/azurite.pid")"
[ "$conn" = "$(cat "$CLUSTER_DIR/azurite.conn")" ] || { log "Azurite came back on other ports ($conn): its own were taken"; exit 1; }
log "azurite started on its ports again"
