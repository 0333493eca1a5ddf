#!/usr/bin/env bash
# Crash silo I (SIGKILL: no drain, no shutdown hooks), for fault tests. Bring it back with restart-silo.sh I.
#   usage: infra/cluster/kill-silo.sh I
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pid=$(running_silo_pid "$1")
kill -KILL "$pid"
for _ in $(seq 50); do is_ours "$pid" || break; sleep 0.1; done  # gone, so the next request meets a dead port
log "silo$1 ($pid) killed"
