# Sourced by the infra/cluster scripts. Everything a cluster leaves behind lives under CLUSTER_DIR (default
# <repo>/.cluster); another CLUSTER_DIR (and other ports) makes a second, independent cluster, as the fault tests do.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER_DIR=$(realpath -m "${CLUSTER_DIR:-$REPO/.cluster}")
PIDS=$CLUSTER_DIR/pids
LOGS=$CLUSTER_DIR/logs
CLUSTER_PORT=${CLUSTER_PORT:-5100}
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-55450}
CLUSTER_BARE_PORT=${CLUSTER_BARE_PORT:-$((CLUSTER_PORT + 99))}
PGDATA_DIR=$CLUSTER_DIR/pgdata
# Postgres (default) or AzureStorage: grain state, membership and reminders on Azurite, query rows on PostgreSQL.
CLUSTER_STORAGE=${CLUSTER_STORAGE:-Postgres}
AZURITE_DATA_DIR=$CLUSTER_DIR/azurite
# Azurite's blob port (queue and table the next two); unset: free ports from 10000 up (infra/azurite/start.sh).
CLUSTER_AZURITE_PORT=${CLUSTER_AZURITE_PORT:-}

log() { echo "cluster: $*" >&2; }
silo_port() { echo $((CLUSTER_PORT + $1)); }
port_taken() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# The pids file has one "name pid" per line.
pid_of() { [ -f "$PIDS" ] && awk -v n="$1" '$1 == n { print $2 }' "$PIDS" || true; }
record_pid() {
  touch "$PIDS"
  { grep -v "^$1 " "$PIDS" || true; echo "$1 $2"; } > "$PIDS.tmp" && mv "$PIDS.tmp" "$PIDS"
}

# Alive and still one of ours: a recycled pid must never be signalled.
is_ours() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q "$CLUSTER_DIR"; }

# The pid of running silo $1, for a script about to signal it; exits the script when it does not run.
running_silo_pid() {
  local pid; pid=$(pid_of "silo$1")
  is_ours "$pid" || { log "silo$1 is not running"; exit 1; }
  echo "$pid"
}

# SIGTERM, then SIGKILL if still there after $2 seconds.
stop_pid() {
  local name=$1 grace=$2 pid; pid=$(pid_of "$name")
  is_ours "$pid" || return 0
  kill -TERM "$pid"
  kill -CONT "$pid" 2>/dev/null || true  # a frozen silo (freeze-silo.sh) acts on SIGTERM only once woken
  for _ in $(seq $((grace * 10))); do is_ours "$pid" || { log "$name ($pid) stopped"; return 0; }; sleep 0.1; done
  log "$name ($pid) still running after ${grace}s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# Detached (setsid) so that the caller's terminal or job control cannot take the nodes down with it.
launch() { # name workdir logfile command...
  local name=$1 dir=$2 logfile=$3; shift 3
  (cd "$dir" && exec setsid "$@" >>"$logfile" 2>&1 </dev/null) &
  record_pid "$name" $!
}

# Npgsql logs every command at Information (the reminder poll: 10 multi-line entries a second per node); quiet it
# unless the caller asks for it.
start_silo() { # index
  local i=$1 port; port=$(silo_port "$1")
  if port_taken "$port"; then log "port $port is taken"; return 1; fi
  echo "=== start $(date -u +%FT%TZ) ===" >> "$LOGS/silo$i.log"
  ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development} \
  Storage__Provider=$CLUSTER_STORAGE \
  ConnectionStrings__Postgres=$(cat "$CLUSTER_DIR/postgres.conn") \
  ConnectionStrings__AzureStorage=$(cat "$CLUSTER_DIR/azurite.conn" 2>/dev/null || true) \
  Orleans__SiloPort=$((port + 100)) Orleans__AdvertisedIPAddress=127.0.0.1 \
  Reminders__MinimumPeriod=${Reminders__MinimumPeriod:-00:00:05} Reminders__BackstopPeriod=${Reminders__BackstopPeriod:-00:00:05} \
  Dashboard__Enabled=${Dashboard__Enabled:-true} \
  Logging__LogLevel__Npgsql=${Logging__LogLevel__Npgsql:-Warning} \
    launch "silo$i" "$CLUSTER_DIR/silo" "$LOGS/silo$i.log" \
      dotnet "$CLUSTER_DIR/silo/PurchaseGrains.Silo.dll" --urls "http://127.0.0.1:$port" ${CLUSTER_SILO_ARGS:-}
}

wait_ready() { # name url [seconds]
  local name=$1 url=$2 pid; pid=$(pid_of "$1")
  for _ in $(seq $((${3:-60} * 5))); do
    curl -fsS -o /dev/null --max-time 3 "$url" 2>/dev/null && return 0
    is_ours "$pid" || { log "$name exited while starting; last log lines:"; tail -n 20 "$LOGS/$name.log" >&2; return 1; }
    sleep 0.2
  done
  log "$name not ready at $url after ${3:-60}s"; return 1
}

# Rewrites nginx's config from the silo count start.sh recorded and the drained list, then reloads it gracefully:
# requests in flight finish on the old workers, new ones follow the new config.
reload_nginx() {
  bash "$REPO/infra/cluster/nginx-conf.sh" "$(cat "$CLUSTER_DIR/silos")" > "$CLUSTER_DIR/nginx/nginx.conf"
  nginx -t -q -c "$CLUSTER_DIR/nginx/nginx.conf" -p "$CLUSTER_DIR/nginx" -e "$CLUSTER_DIR/nginx/error.log"
  kill -HUP "$(pid_of nginx)"
  sleep 1  # the master starts new workers and retires the old ones
}
drain_silo() { echo "$1" >> "$CLUSTER_DIR/drained"; reload_nginx; }
undrain_silo() { { grep -vx "$1" "$CLUSTER_DIR/drained" || true; } > "$CLUSTER_DIR/drained.tmp"; mv "$CLUSTER_DIR/drained.tmp" "$CLUSTER_DIR/drained"; reload_nginx; }
is_drained() { [ -f "$CLUSTER_DIR/drained" ] && grep -qx "$1" "$CLUSTER_DIR/drained"; }
