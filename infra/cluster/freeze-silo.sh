#!/usr/bin/env bash
# Freeze silo I (SIGSTOP): the process keeps its sockets but answers nothing, as in a long GC pause or a VM stall.
# Wake it with thaw-silo.sh I.
#   usage: infra/cluster/freeze-silo.sh I
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pid=$(running_silo_pid "$1")
kill -STOP "$pid"
log "silo$1 ($pid) frozen"
