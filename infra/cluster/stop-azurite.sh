#!/usr/bin/env bash
# Stop the cluster's Azurite (CLUSTER_STORAGE=AzureStorage), for fault tests; the silos keep running and its data stays
# on disk. Bring it back with start-azurite.sh.
#   usage: infra/cluster/stop-azurite.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$CLUSTER_DIR/azurite.conn" ] && [ -f "$PIDS" ] || { log "no AzureStorage cluster running; CLUSTER_STORAGE=AzureStorage start.sh first"; exit 1; }
bash "$REPO/infra/azurite/stop.sh" "$AZURITE_DATA_DIR"
log "azurite stopped"
