#!/usr/bin/env bash
# Load benchmark through nginx with wrk: starts infra/cluster with 1, then 3 silos (and the bare endpoint), measures
# each target, stops the cluster. Prints one aligned line per (silos, target): req/s, p50, p99, errors.
#   usage: benchmarks/load/run.sh [SILO_COUNTS...]        (default: 1 3)
# Env: BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (64), BENCH_WARMUP (3s),
#      BENCH_TARGETS (space-separated names from TARGETS below; default all), BENCH_PACK_CARDS (5000), and the
#      infra/cluster knobs (CLUSTER_PORT ...). Raw wrk output goes to .cluster/bench/<time>/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/infra/cluster/common.sh"
COUNTS=${*:-1 3}
URL=http://127.0.0.1:$CLUSTER_PORT
OUT=$CLUSTER_DIR/bench/$(date -u +%Y%m%dT%H%M%SZ)
ADMIN=(-H "X-API-Key: dev-admin-key" -H "Content-Type: application/json")

# name           what wrk sends (a path for a GET, or a Lua script in benchmarks/load/)
TARGETS=(
  "bare          /bare"
  "health-live   /health/live"
  # --- Domain hot paths: hooks for features still landing on main. A hook whose set-up or route does not answer
  # --- yet is reported as skipped; it is measured as soon as the build under test has the route.
  "buy-status    buy_status.lua"
  "buy-init      buy_init.lua"
  "buy-init+status buy_init_status.lua"
  "ship-quote    ship_quote.lua"
  "ship-order    ship_order.lua"
  "intent-create intent_create.lua"
  "intent-list   intent_list.lua"
  "mix           mix.lua"
)
SELECTED=${BENCH_TARGETS:-$(printf '%s\n' "${TARGETS[@]}" | awk '{ print $1 }')}

command -v wrk >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk </dev/null; } >&2
[ ! -s "$PIDS" ] || { log "a cluster is already running; stop it first (run.sh starts its own)"; exit 1; }
mkdir -p "$OUT"
trap 'bash "$REPO/infra/cluster/stop.sh" >/dev/null 2>&1 || true' EXIT

json_field() { python3 -c 'import sys, json; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# Set-up for the domain hooks, written against API.md; each exports what its scripts need or fails.
# (Explicit "|| return 1": set -e does not apply inside the "if ! setup_for" that calls these.)
make_pack() {
  PACK_ID=bench-$(date +%s)
  curl -fsS -X PUT "${ADMIN[@]}" "$URL/admin/v1/packs/$PACK_ID" -d '{"slug":"'"$PACK_ID"'","platform":"mainnet",
    "name":"Bench","enable":true,"description":"load test","mint_price":1,"max_per_mint":10,"categories":[],
    "buyback_percent":0.8,"claw_image_url":"https://example.com/c.png",
    "rarity_distribution":[{"id":"all","name":"All","color":"#000000","lower":0,"upper":1000000,"weight":1}]}' >/dev/null ||
    return 1
  local cards=${BENCH_PACK_CARDS:-5000} batch=1000 start
  for ((start = 0; start < cards; start += batch)); do
    seq "$start" $((start + batch - 1)) | awk -v p="$PACK_ID" 'BEGIN { printf "{\"cards\":[" }
      { printf "%s{\"id\":\"%s-%d\",\"name\":\"Card %d\",\"image\":\"https://example.com/i.png\",\"back_image\":\"https://example.com/b.png\",\"fmv\":%d,\"type\":\"enft\"}", (NR > 1 ? "," : ""), p, $1, $1, 1 + $1 % 100 }
      END { printf "]}" }' | curl -fsS -X POST "${ADMIN[@]}" "$URL/admin/v1/packs/$PACK_ID/cards" -d @- >/dev/null || return 1
  done
  export PACK_ID
}
make_session() {
  [ -z "${SESSION_ID:-}" ] || return 0
  SESSION_ID=$(curl -fsS -X POST -H "X-API-Key: dev-partner-key" -H "Content-Type: application/json" \
    "$URL/api/v1/vm/buy/init" -d '{"id":"'"${PACK_ID:-demo}"'","amount":1,"user_id":"bench-status"}' | json_field session_id) || return 1
  # Sandbox fulfilment completes inside buy/init; the first status read makes sure the session is terminal.
  curl -fsS -X POST -H "X-API-Key: dev-partner-key" -H "Content-Type: application/json" \
    "$URL/api/v1/vm/buy/status" -d '{"session_id":"'"$SESSION_ID"'"}' | grep -q '"result"' || return 1
  export SESSION_ID
}
make_listing() {
  # Reused, so intent-list pages through the intents that intent-create made.
  [ -z "${LISTING_ID:-}" ] || return 0
  LISTING_ID=$(curl -fsS -X POST "${ADMIN[@]}" "$URL/v1/listings" -d '{"item_id":"bench-item-'"$(date +%s)"'",
    "quantity_listed":10000000,"price":"100","currency":"USD","payment_providers":["STRIPE"],"max_quantity_per_tx":1,
    "policy":{"type":"FCFS","max_per_user":1,"payment_session_duration":{"timeout_seconds":600}},
    "start_time":"'"$(date -u -d '-1 min' +%FT%TZ)"'","end_time":"'"$(date -u -d '+1 day' +%FT%TZ)"'"}' | json_field id) || return 1
  export LISTING_ID
}
make_ship_items() {
  # 64 users with three cards each, bought through the API; one line of item ids per user for ship_quote.lua.
  SHIP_ITEMS=$OUT/ship-items.txt
  : >"$SHIP_ITEMS"
  local user
  for user in $(seq 1 64); do
    curl -fsS -X POST -H "X-API-Key: dev-partner-key" -H "Content-Type: application/json" "$URL/api/v1/vm/buy/init" \
      -d '{"id":"'"$PACK_ID"'","amount":3,"user_id":"ship-quote-'"$PACK_ID-$user"'"}' |
      python3 -c 'import sys, json; print(" ".join(n["id"] for n in json.load(sys.stdin)["nfts"]))' >>"$SHIP_ITEMS" || return 1
  done
  export SHIP_ITEMS
}
setup_for() {
  case $1 in
    buy-status) make_session ;;
    buy-init | buy-init+status | ship-order) make_pack ;;
    ship-quote) make_pack && make_ship_items ;;
    intent-create | intent-list) make_listing ;;
    mix) make_pack && make_session && make_listing ;;
  esac
}

# wrk --latency output -> "req/s p50 p99 errors" (errors: non-2xx/3xx answers plus socket errors).
summarize() {
  awk '/Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
       /Non-2xx/ { err += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) err += $i }
       END { printf "%10.0f %9s %9s %8d\n", rps, p50, p99, err }' "$1"
}

{ echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; wrk -t${BENCH_THREADS:-2}" \
    "-c${BENCH_CONNECTIONS:-64} -d${BENCH_DURATION:-10s} after a ${BENCH_WARMUP:-3s} warm-up, through nginx :$CLUSTER_PORT"
  printf '%-6s %-16s %10s %9s %9s %8s\n' silos target req/s p50 p99 errors; } | tee "$OUT/summary.txt"
skip_build=${CLUSTER_SKIP_BUILD:-0}  # the first start publishes, unless told to reuse .cluster/silo
for n in $COUNTS; do
  CLUSTER_BARE=1 CLUSTER_SKIP_BUILD=$skip_build bash "$REPO/infra/cluster/start.sh" "$n" >"$OUT/start-$n.log" 2>&1 ||
    { cat "$OUT/start-$n.log" >&2; exit 1; }
  skip_build=1
  for entry in "${TARGETS[@]}"; do
    read -r name what <<<"$entry"
    grep -qw -- "$name" <<<"$SELECTED" || continue
    args=("$URL$what")
    if [[ $what == *.lua ]]; then
      args=(-s "$HERE/$what" "$URL")
      if ! setup_for "$name" >/dev/null 2>&1; then
        printf '%-6s %-16s %s\n' "$n" "$name" "skipped: set-up failed (route not on this build yet?)" | tee -a "$OUT/summary.txt"
        continue
      fi
    fi
    wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-64}" -d"${BENCH_WARMUP:-3s}" "${args[@]}" >/dev/null
    wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-64}" -d"${BENCH_DURATION:-10s}" --latency "${args[@]}" \
      >"$OUT/$n-$name.txt"
    printf '%-6s %-16s %s\n' "$n" "$name" "$(summarize "$OUT/$n-$name.txt")" | tee -a "$OUT/summary.txt"
    # Scripts that mix routes print each route's own rate (ship_order.lua).
    grep '^route ' "$OUT/$n-$name.txt" | sed "s/^/$n      /" | tee -a "$OUT/summary.txt" || true
  done
  bash "$REPO/infra/cluster/stop.sh" >/dev/null 2>&1
done
echo "raw wrk output: $OUT" >&2
