#!/usr/bin/env bash
# Wake silo I after freeze-silo.sh (SIGCONT).
#   usage: infra/cluster/thaw-silo.sh I
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pid=$(pid_of "silo$1")
is_ours "$pid" || { log "silo$1 is not running"; exit 1; }
kill -CONT "$pid"
log "silo$1 ($pid) thawed"
