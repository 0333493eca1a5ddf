#!/usr/bin/env bash
# On-demand benchmarks (not run in CI): starts a throwaway PostgreSQL and prints figures.
#   usage: infra/bench.sh [grains|deadlines|long-poll|intents-create|intents-list|intents-expiry|azure|all]
#   env: BENCH_SECONDS (default 10), PG_BENCH_PORT (default: a free port from 55432 up), BENCH_LIST_INTENTS (1000000), BENCH_EXPIRY_INTENTS (100000),
#        BENCH_CREATE_CLIENTS (64,128,256,512), BENCH_PGBENCH_CLIENTS (the best of a sweep at 16 to 128),
#        BENCH_AZURE_EXPIRY_INTENTS (2000)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
PORT=${PG_BENCH_PORT:-auto}
DATADIR=${PG_BENCH_DATADIR:-$REPO/.pgdata-bench}
export PG_BENCH_CONNECTION=$(bash infra/postgres/start-throwaway.sh "$PORT" "$DATADIR")
AZURITE_DATADIR=${AZURITE_BENCH_DATADIR:-$REPO/.azurite-bench}
stop_servers() {
  bash infra/postgres/stop-throwaway.sh "$DATADIR" >/dev/null 2>&1 || true
  bash infra/azurite/stop.sh "$AZURITE_DATADIR" >/dev/null 2>&1 || true
}
trap stop_servers EXIT
if [ "${1:-all}" = azure ] || [ "${1:-all}" = all ]; then
  rm -rf "$AZURITE_DATADIR"
  export AZURITE_BENCH_CONNECTION=$(bash infra/azurite/start.sh "$AZURITE_DATADIR")
fi
dotnet run -c Release --project benchmarks/PurchaseGrains.Benchmarks -- "${1:-all}"
