#!/usr/bin/env bash
# Runs the expiry benchmark for another build and for this tree alternately, and prints for each run the lateness
# p50/p99 and the machine's busy CPU time per expiry (from /proc/stat, between the window opening and the last
# EXPIRED). Run-to-run noise on a shared machine is large; CPU per expiry is steadier than lateness.
#   usage: benchmarks/expiry-ab.sh REV [RUNS]    e.g. benchmarks/expiry-ab.sh HEAD~3 2
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REV=${1:?usage: benchmarks/expiry-ab.sh REV [RUNS]}
RUNS=${2:-2}
OTHER=$(mktemp -d /tmp/expiry-ab.XXXXXX)
trap 'git -C "$REPO" worktree remove --force "$OTHER" >/dev/null 2>&1 || true' EXIT
git -C "$REPO" worktree add -q --detach "$OTHER" "$REV"
export PG_BENCH_DATADIR=${PG_BENCH_DATADIR:-$REPO/.pgdata-bench}

busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4}' /proc/stat; }

run() { # DIR LABEL
  local log; log=$(mktemp /tmp/expiry-ab-log.XXXXXX)
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

for i in $(seq 1 "$RUNS"); do
  run "$OTHER" "$REV (run $i)"
  run "$REPO" "this tree (run $i)"
done
