# Sourced by start.sh and stop.sh.
AZURITE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$AZURITE_DIR/../.." && pwd)
AZURITE_BIN="$AZURITE_DIR/node_modules/.bin/azurite"

default_datadir() { echo "$REPO/.azurite"; }

# The pid of the Azurite started from data folder $1, or nothing when none runs from it.
running_pid() {
  local pid
  [ -f "$1/azurite.pid" ] || return 0
  pid=$(cat "$1/azurite.pid")
  # The pid must still be an Azurite of this folder, not a recycled pid.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--location $1"; then
    echo "$pid"
  fi
}

port_in_use() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# Whether process $1 holds the listening socket of 127.0.0.1:$2 (from /proc: the socket's inode among the process's
# file descriptors).
listens_on() {
  local port inode
  port=$(printf '0100007F:%04X' "$2")
  for inode in $(awk -v local="$port" '$2 == local && $4 == "0A" { print $10 }' /proc/net/tcp); do
    find "/proc/$1/fd" -lname "socket:\[$inode\]" 2>/dev/null | grep -q . && return 0
  done
  return 1
}

# The first loopback port from $1 upwards that nothing listens on and that is not in $2 (ports already chosen).
free_port_from() {
  local port=$1
  while port_in_use "$port" || [[ " ${2:-} " == *" $port "* ]]; do port=$((port + 1)); done
  echo "$port"
}

# Azurite's well-known development account; a real account's key never goes in a script.
connection_string() {
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$2/devstoreaccount1;TableEndpoint=http://127.0.0.1:$3/devstoreaccount1;"
}
