# Sourced by start-throwaway.sh and stop-throwaway.sh.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# initdb/postgres refuse to run as root: run them as the postgres OS user then.
# cd / because postgres may not be allowed into the caller's working directory.
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# <repo>/.pgdata, unless the repo lies where the postgres user cannot go (a clone under
# /root, say): then a folder in /tmp named after the repo path.
default_datadir() {
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! as_pg test -x "$REPO"; then
    echo "/tmp/pgdata-$(printf %s "$REPO" | md5sum | cut -c1-8)"
  else
    echo "$REPO/.pgdata"
  fi
}

# The port of the server running from data dir $1, or nothing when none runs from it.
running_port() {
  local bin; bin=$(find_bin)
  [ -n "$bin" ] && [ -f "$1/postmaster.pid" ] && as_pg "$bin/pg_ctl" status -D "$1" >/dev/null 2>&1 &&
    sed -n 4p "$1/postmaster.pid" || true
}

# The first loopback port from $1 upwards that nothing listens on.
free_port_from() {
  local port=$1
  while (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
