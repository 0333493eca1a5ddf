#!/usr/bin/env bash
# Start (or reuse) Azurite, the Azure Storage emulator, for the AzureStorage profile's tests, benchmarks and local runs.
#   usage: infra/azurite/start.sh [DATADIR]     (default <repo>/.azurite)
# Installs azurite from npm into infra/azurite/node_modules (npm ci: the version is pinned by package-lock.json)
# when missing. Listens on 127.0.0.1 only, on free ports from 10000 up (the ports a data folder was last started on,
# when still free, so a restart keeps its connection string), or on AZURITE_PORT (blob) and the two after it (queue,
# table) when that is set: a caller that must find it again on the same ports after a restart picks ports that
# nothing else scans for. Keeps its data in DATADIR, and its pid in DATADIR/azurite.pid for stop.sh. Progress goes to
# stderr; the only stdout line is the connection string.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
log() { echo "azurite/start: $*" >&2; }

if [ ! -x "$AZURITE_BIN" ]; then
  if ! command -v npm >/dev/null; then
    log "installing Node.js and npm"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >&2 </dev/null
  fi
  log "installing azurite into $AZURITE_DIR (npm ci)"
  npm ci --prefix "$AZURITE_DIR" --no-audit --no-fund >&2
fi

DATADIR=$(realpath -m "${1:-$(default_datadir)}")
mkdir -p "$DATADIR"

if [ -n "$(running_pid "$DATADIR")" ]; then
  read -r blob queue table <"$DATADIR/azurite.ports"
  log "reusing the Azurite already running from $DATADIR (pid $(cat "$DATADIR/azurite.pid"))"
else
  if [ -n "${AZURITE_PORT:-}" ]; then
    read -r blob queue table <<<"$AZURITE_PORT $((AZURITE_PORT + 1)) $((AZURITE_PORT + 2))"
    if port_in_use "$blob" || port_in_use "$queue" || port_in_use "$table"; then
      log "AZURITE_PORT: one of ports $blob, $queue, $table is taken"; exit 1
    fi
  elif [ -f "$DATADIR/azurite.ports" ]; then
    read -r blob queue table <"$DATADIR/azurite.ports"
    if port_in_use "$blob" || port_in_use "$queue" || port_in_use "$table"; then blob=; fi
  else
    blob=
  fi
  if [ -z "$blob" ]; then
    blob=$(free_port_from 10000)
    queue=$(free_port_from $((blob + 1)) "$blob")
    table=$(free_port_from $((queue + 1)) "$blob $queue")
  fi
  echo "$blob $queue $table" >"$DATADIR/azurite.ports"
  log "starting Azurite on 127.0.0.1:$blob (blob), :$queue (queue), :$table (table); log: $DATADIR/azurite.log"
  # --skipApiVersionCheck: the Azure SDKs the silo uses may be newer than this Azurite's API version.
  # setsid: its own session, so a Ctrl-C in the caller's terminal does not stop it; stop.sh does. setsid may fork, so
  # the process records its own pid before it becomes Azurite (exec keeps the pid).
  rm -f "$DATADIR/azurite.pid"
  setsid bash -c 'echo $$ >"$1/azurite.pid.new" && mv "$1/azurite.pid.new" "$1/azurite.pid"; shift; exec "$@"' _ "$DATADIR" \
    "$AZURITE_BIN" --location "$DATADIR" --skipApiVersionCheck --disableTelemetry \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >>"$DATADIR/azurite.log" 2>&1 </dev/null &
fi

# Started means this Azurite holds the ports, not merely that something answers there: ports found free may be taken by
# another process before Azurite binds them (it then exits with EADDRINUSE), and the callers must not be handed a
# stranger's server.
ours() { [ -n "$1" ] && listens_on "$1" "$blob" && listens_on "$1" "$queue" && listens_on "$1" "$table"; }
for _ in $(seq 1 60); do
  pid=$(cat "$DATADIR/azurite.pid" 2>/dev/null || true)
  ours "$pid" && break
  # Exited means the recorded process is gone. Not running_pid: the pid file may be caught between its truncation and
  # its write, and the command line between exec's, and both read as "not Azurite" for a moment.
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$DATADIR/azurite.log" >&2; log "Azurite exited"; exit 1
  fi
  sleep 0.5
done
ours "$(cat "$DATADIR/azurite.pid" 2>/dev/null || true)" || { log "Azurite does not listen on ports $blob/$queue/$table"; exit 1; }

connection_string "$blob" "$queue" "$table"
