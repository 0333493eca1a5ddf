#!/usr/bin/env bash
# Start a local cluster on loopback: throwaway PostgreSQL, N silos, nginx in front.
#   usage: infra/cluster/start.sh [N]        (default N: $CLUSTER_SILOS or 3)
# Env: CLUSTER_PORT (nginx, default 5100; silo i listens on CLUSTER_PORT+i), CLUSTER_PG_PORT (55450),
#      CLUSTER_BARE=1 (also start benchmarks/PurchaseGrains.BareEndpoint on CLUSTER_BARE_PORT, default CLUSTER_PORT+99,
#      behind nginx at /bare), CLUSTER_SKIP_BUILD=1 (reuse .cluster/silo from the last start),
#      CLUSTER_SILO_FROM (copy this already built silo output folder, e.g. src/PurchaseGrains.Silo/bin/Release/net10.0,
#      instead of publishing), CLUSTER_DIR (where state, logs and pids live; default <repo>/.cluster),
#      CLUSTER_SILO_ARGS (extra command-line arguments for every silo), CLUSTER_STORAGE=AzureStorage (the AzureStorage
#      profile: Azurite from infra/azurite/start.sh, data in CLUSTER_DIR/azurite, beside the PostgreSQL of the lists),
#      CLUSTER_AZURITE_PORT (its blob port, queue and table the next two; default: free ports from 10000 up). Every
#      other variable is inherited by the silos, so any setting passes through as e.g. Reminders__Lease=00:00:10.
# State, logs and the pids file live under CLUSTER_DIR; infra/cluster/stop.sh (same CLUSTER_DIR) undoes it all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
N=${1:-${CLUSTER_SILOS:-3}}
cd "$REPO"

if [ -s "$PIDS" ]; then
  log "a cluster is already recorded in $PIDS; run infra/cluster/stop.sh first"; exit 1
fi
ports=("$CLUSTER_PORT"); [ "${CLUSTER_BARE:-0}" != 1 ] || ports+=("$CLUSTER_BARE_PORT")
for port in "${ports[@]}"; do
  if port_taken "$port"; then log "port $port is taken"; exit 1; fi
done
mkdir -p "$LOGS" "$CLUSTER_DIR/nginx/tmp"
rm -f "$LOGS"/*.log "$CLUSTER_DIR"/nginx/*.log
# Anything failing half-way: take down what was started.
trap '[ $? = 0 ] || { log "start failed; stopping what was started"; bash "$REPO/infra/cluster/stop.sh" || true; }' EXIT

if ! command -v nginx >/dev/null; then
  log "installing nginx"
  apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >&2 </dev/null
fi

# The throwaway server allows 300 connections; Npgsql's default pool (100 per silo) would overrun it from 3 silos on.
conn=$(bash infra/postgres/start-throwaway.sh "$CLUSTER_PG_PORT" "$PGDATA_DIR")
echo "$conn;Maximum Pool Size=$((250 / N))" > "$CLUSTER_DIR/postgres.conn"
record_pid postgres "$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
if [ "$CLUSTER_STORAGE" = AzureStorage ]; then
  AZURITE_PORT=$CLUSTER_AZURITE_PORT bash infra/azurite/start.sh "$AZURITE_DATA_DIR" > "$CLUSTER_DIR/azurite.conn"
  record_pid azurite "$(cat "$AZURITE_DATA_DIR/azurite.pid")"
fi

if [ -n "${CLUSTER_SILO_FROM:-}" ]; then
  [ -f "$CLUSTER_SILO_FROM/PurchaseGrains.Silo.dll" ] || { log "no PurchaseGrains.Silo.dll in $CLUSTER_SILO_FROM"; exit 1; }
  log "copying the silo from $CLUSTER_SILO_FROM"
  rm -rf "$CLUSTER_DIR/silo" && cp -r "$CLUSTER_SILO_FROM" "$CLUSTER_DIR/silo"
elif [ "${CLUSTER_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$CLUSTER_DIR/silo/PurchaseGrains.Silo.dll" ]; then
  log "publishing the silo to $CLUSTER_DIR/silo"
  dotnet publish src/PurchaseGrains.Silo -c Release -o "$CLUSTER_DIR/silo" --nologo -v quiet >&2
fi
if [ "${CLUSTER_BARE:-0}" = 1 ] && { [ "${CLUSTER_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$CLUSTER_DIR/bare/PurchaseGrains.BareEndpoint.dll" ]; }; then
  dotnet publish benchmarks/PurchaseGrains.BareEndpoint -c Release -o "$CLUSTER_DIR/bare" --nologo -v quiet >&2
fi

echo "$N" > "$CLUSTER_DIR/silos"; rm -f "$CLUSTER_DIR/drained"
for i in $(seq 1 "$N"); do start_silo "$i"; done
if [ "${CLUSTER_BARE:-0}" = 1 ]; then
  launch bare "$CLUSTER_DIR/bare" "$LOGS/bare.log" \
    dotnet "$CLUSTER_DIR/bare/PurchaseGrains.BareEndpoint.dll" --urls "http://127.0.0.1:$CLUSTER_BARE_PORT"
fi
for i in $(seq 1 "$N"); do
  wait_ready "silo$i" "http://127.0.0.1:$(silo_port "$i")/health/ready"
  log "silo$i ready on 127.0.0.1:$(silo_port "$i") (pid $(pid_of "silo$i"))"
done
[ "${CLUSTER_BARE:-0}" != 1 ] || wait_ready bare "http://127.0.0.1:$CLUSTER_BARE_PORT/bare"

bash infra/cluster/nginx-conf.sh "$N" > "$CLUSTER_DIR/nginx/nginx.conf"
nginx -t -q -c "$CLUSTER_DIR/nginx/nginx.conf" -p "$CLUSTER_DIR/nginx" -e "$CLUSTER_DIR/nginx/error.log"
# In the foreground ("daemon off"), so the recorded pid is the master's own.
launch nginx "$CLUSTER_DIR/nginx" "$LOGS/nginx.log" \
  nginx -c "$CLUSTER_DIR/nginx/nginx.conf" -p "$CLUSTER_DIR/nginx" -e "$CLUSTER_DIR/nginx/error.log" -g 'daemon off;'
wait_ready nginx "http://127.0.0.1:$CLUSTER_PORT/health/ready" 10

dashboard_line() {
  if [ "${Dashboard__Enabled:-true}" = true ]; then
    echo "Dashboard: http://127.0.0.1:$CLUSTER_PORT/dashboard/ (browser login: any user name, password dev-admin-key)"
  else
    echo "Dashboard: off (Dashboard__Enabled=$Dashboard__Enabled)"
  fi
}
cat <<DONE
Cluster up: $N silo(s) on ports $(silo_port 1)..$(silo_port "$N"), storage $CLUSTER_STORAGE, PostgreSQL on $CLUSTER_PG_PORT, logs in $LOGS
Entry URL: http://127.0.0.1:$CLUSTER_PORT
API keys (Development): dev-partner-key (partner), dev-admin-key (admin), header X-API-Key
$(dashboard_line)
Stop: infra/cluster/stop.sh   Fault drills: infra/cluster/kill-silo.sh I, restart-silo.sh I, freeze-silo.sh I, thaw-silo.sh I,
  roll-silo.sh I (drain, SIGTERM, start, undrain), stop-postgres.sh, start-postgres.sh, stop-azurite.sh, start-azurite.sh
DONE
