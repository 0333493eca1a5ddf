#!/usr/bin/env bash
# Runs a benchmark for another build and for this tree alternately (each build in its own git worktree), RUNS times
# each, and prints the figures of each run. Run-to-run noise on a shared machine is large: compare builds only this way.
#   usage: benchmarks/ab.sh intents-create|intents-expiry|vm-purchase REV [RUNS]    e.g. benchmarks/ab.sh intents-expiry HEAD~3 2
# intents-create: intents/s, the ratio to pgbench -N run around it, and the machine's CPU per intent (the benchmark
#   prints all three).
# intents-expiry: lateness p50/p99 and the machine's busy CPU time per expiry (from /proc/stat, between the window
#   opening and the last EXPIRED); CPU per expiry is steadier than lateness.
# vm-purchase: buy/init then its first buy/status through nginx in front of one silo on PostgreSQL (benchmarks/load,
#   target buy-init+status): requests/s (two per purchase), p50, p99, errors.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
USAGE="usage: benchmarks/ab.sh intents-create|intents-expiry|vm-purchase REV [RUNS]"
SUITE=${1:?$USAGE}
REV=${2:?$USAGE}
RUNS=${3:-2}
case $SUITE in intents-create | intents-expiry | vm-purchase) ;; *) echo "$USAGE" >&2; exit 2 ;; esac
OTHER=$(mktemp -d /tmp/bench-ab.XXXXXX)
chmod 755 "$OTHER"  # the local cluster's PostgreSQL keeps its data dir inside, as the postgres user
trap 'git -C "$REPO" worktree remove --force "$OTHER" >/dev/null 2>&1 || true' EXIT
git -C "$REPO" worktree add -q --detach "$OTHER" "$REV"
export PG_BENCH_DATADIR=${PG_BENCH_DATADIR:-$REPO/.pgdata-bench}

busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4}' /proc/stat; }

run_create() { # DIR LABEL
  echo "$2:"
  (cd "$1" && bash infra/bench.sh intents-create 2>&1) | grep -E 'intents-create +(STRIPE|EMAIL_CLAIM),' |
    sed -E 's/ +/ /g; s/^intents-create /  /; s/ \(target[^)]*\)//; s/; p50.*machine CPU/; CPU/; s/ \(the run only.*//'
}

run_expiry() { # DIR LABEL
  local log; log=$(mktemp /tmp/bench-ab-log.XXXXXX)
  (cd "$1" && bash infra/bench.sh intents-expiry >"$log" 2>&1) &
  local bench=$!
  until grep -q "created to expire" "$log"; do kill -0 $bench 2>/dev/null || { cat "$log"; return 1; }; sleep 0.5; done
  local opens created
  opens=$(grep -o "window opens [0-9]* s" "$log" | grep -o "[0-9]*")
  created=$(grep "created to expire" "$log" | grep -o "in [0-9]* s" | grep -o "[0-9]*")
  sleep $((opens > created ? opens - created : 0))
  local before after expired
  before=$(busy_jiffies)
  until grep -q "EXPIRED of" "$log"; do sleep 0.2; done
  after=$(busy_jiffies)
  wait $bench
  expired=$(grep "EXPIRED of" "$log" | awk '{for (i = 1; i <= NF; i++) if ($i == "intents") { print $(i - 1); exit }}' | tr -d ',' | cut -d. -f1)
  local hz; hz=$(getconf CLK_TCK)
  echo "$2: p50 $(grep 'p50' "$log" | grep -o '[0-9,.]* ms' | head -1), p99 $(grep 'p99' "$log" | grep -o '[0-9,.]* ms' | head -1)," \
    "machine CPU $(( (after - before) * 1000000 / hz / (expired > 0 ? expired : 1) )) us per expiry"
  rm -f "$log"
}

run_purchase() { # DIR LABEL
  local line
  line=$(cd "$1" && BENCH_TARGETS=buy-init+status BENCH_PACK_CARDS=${BENCH_PACK_CARDS:-30000} bash benchmarks/load/run.sh 1 2>/dev/null |
    awk '$2 == "buy-init+status"')
  echo "$2: $(awk '{ printf "%s req/s (%.0f purchases/s), p50 %s, p99 %s, errors %s", $3, $3 / 2, $4, $5, $6 }' <<<"$line")"
}

run() {
  case $SUITE in
    intents-create) run_create "$@" ;;
    intents-expiry) run_expiry "$@" ;;
    vm-purchase) run_purchase "$@" ;;
  esac
}

for i in $(seq 1 "$RUNS"); do
  run "$OTHER" "$REV (run $i)"
  run "$REPO" "this tree (run $i)"
done
