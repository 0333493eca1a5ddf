#!/usr/bin/env bash
# Wake silo I after freeze-silo.sh (SIGCONT).
#   usage: infra/cluster/thaw-silo.sh I
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pid=$(running_silo_pid "$1")
kill -CONT "$pid"
log "silo$1 ($pid) thawed"
