#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL for tests and benchmarks.
#   usage: infra/postgres/start-throwaway.sh [PORT|auto] [DATADIR]
# Defaults: PORT auto (the port of the server already running from DATADIR, else the first free port from 55432),
# DATADIR <repo>/.pgdata (see common.sh). Installs Debian's postgresql if no server binaries.
# Progress goes to stderr; the only stdout line is the connection string.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PORT=${1:-auto}
log() { echo "start-throwaway: $*" >&2; }

if [ ! -x "$(find_bin)/initdb" ]; then
  log "no PostgreSQL server binaries; installing Debian's postgresql"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  # Do not let the package create (and start) the Debian 'main' cluster: we never use it.
  $SUDO mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.d/no-main-cluster.conf >/dev/null
  $SUDO apt-get update -q >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2 </dev/null
fi
BIN=$(find_bin)
DATADIR=$(realpath -m "${2:-$(default_datadir)}")
if [ "$PORT" = auto ]; then
  PORT=$(running_port "$DATADIR")
  [ -n "$PORT" ] || PORT=$(free_port_from 55432)
fi

# Already running from this data dir? Reuse it if it is on the requested port.
if [ -f "$DATADIR/postmaster.pid" ] && as_pg "$BIN/pg_ctl" status -D "$DATADIR" >/dev/null 2>&1; then
  running_port=$(sed -n 4p "$DATADIR/postmaster.pid")
  if [ "$running_port" != "$PORT" ]; then
    log "a server from $DATADIR already runs on port $running_port, not $PORT; stop it first"
    exit 1
  fi
  log "reusing the server already running from $DATADIR on port $PORT"
else
  if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -t 2; then
    log "port $PORT is taken by another server (not $DATADIR); pick another port"
    exit 1
  fi

  if [ ! -f "$DATADIR/PG_VERSION" ]; then
    if [ -d "$DATADIR" ] && [ -n "$(ls -A "$DATADIR")" ]; then
      log "$DATADIR exists, is not empty and is not a PostgreSQL data dir; refusing to touch it"
      exit 1
    fi
    mkdir -p "$DATADIR"
    [ "$(id -u)" != 0 ] || chown postgres:postgres "$DATADIR"
    if ! as_pg test -w "$DATADIR"; then
      log "the postgres user cannot reach $DATADIR (a parent directory not traversable?); pass another DATADIR"
      exit 1
    fi
    log "initdb $DATADIR"
    # --locale=C: does not depend on which locales the machine has generated.
    as_pg "$BIN/initdb" -D "$DATADIR" -U postgres -E UTF8 --locale=C --auth=trust >/dev/null
    cat > "$DATADIR/pg_hba.conf" <<'HBA'
local   all             all                     trust
host    all             all     127.0.0.1/32    trust
host    replication     all     127.0.0.1/32    trust
HBA
    echo "include 'throwaway.conf'" >> "$DATADIR/postgresql.conf"
  fi

  if [ "$(cat "$DATADIR/PG_VERSION")" != "$(basename "$(dirname "$BIN")")" ]; then
    log "$DATADIR was made by PostgreSQL $(cat "$DATADIR/PG_VERSION"), binaries are $BIN; remove the data dir"
    exit 1
  fi

  # Rewritten on every start so an old data dir gets the current settings.
  # Sockets in /tmp: no need for /var/run/postgresql, and no 107-byte socket path limit.
  cat > "$DATADIR/throwaway.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
max_connections = 300
shared_buffers = 2GB
max_wal_size = 8GB
min_wal_size = 1GB
checkpoint_timeout = 15min
wal_compression = lz4
fsync = on
synchronous_commit = on
full_page_writes = on
CONF
  [ "$(id -u)" != 0 ] || chown postgres:postgres "$DATADIR"/*.conf

  log "starting PostgreSQL on 127.0.0.1:$PORT (log: $DATADIR/server.log)"
  if ! as_pg "$BIN/pg_ctl" start -w -t 60 -D "$DATADIR" -l "$DATADIR/server.log" >/dev/null; then
    tail -n 20 "$DATADIR/server.log" >&2
    exit 1
  fi
fi

for _ in $(seq 1 30); do
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres && break
  sleep 1
done
"$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres || { log "server on port $PORT does not answer"; exit 1; }

# Auth is trust, but clients send this password, so make it the real one too.
"$BIN/psql" -q -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "ALTER USER postgres PASSWORD 'postgres'" >&2

echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=postgres"
