#!/usr/bin/env bash
# The test command: starts a throwaway PostgreSQL, runs dotnet test, prints the totals.
#   usage: infra/test.sh [extra dotnet test args, e.g. --filter Category=Fast]
# Env: TEST_TARGET (default PurchaseGrains.sln), PG_TEST_PORT (default: a free port from 55432 up),
#      PG_TEST_DATADIR (default as in start-throwaway.sh), PG_TEST_CONNECTION (if already
#      set, that server is used and none is started); AZURITE_TEST_CONNECTION likewise for Azurite (else
#      infra/azurite/start.sh installs and starts one from AZURITE_TEST_DATADIR, default <repo>/.azurite-test).
#      Last line: "tests: N passed, M failed[, K skipped]".
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
TEST_TARGET=${TEST_TARGET:-PurchaseGrains.sln}
PG_TEST_PORT=${PG_TEST_PORT:-auto}
RESULTS="$REPO/TestResults"
source infra/postgres/common.sh

# The fault drills put nginx in front of a local cluster of silos: install it, as PostgreSQL is installed below.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "test.sh: installing nginx (the fault drills need it)" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >&2 </dev/null
fi

# The OpenAPI lint test runs @redocly/cli, pinned by tests/openapi-lint/package-lock.json (it needs Node.js 20.19+).
LINT_DIR=tests/openapi-lint
if [ ! -x "$LINT_DIR/node_modules/.bin/redocly" ]; then
  if ! command -v npm >/dev/null; then
    echo "test.sh: installing Node.js and npm (the OpenAPI lint needs them)" >&2
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >&2 </dev/null
  fi
  echo "test.sh: installing @redocly/cli into $LINT_DIR (npm ci)" >&2
  npm ci --prefix "$LINT_DIR" --no-audit --no-fund >&2 ||
    echo "test.sh: npm ci failed; the OpenAPI lint test will skip locally and fail under CI=true" >&2
fi

# The Kubernetes manifest tests run infra/k8s/validate.sh: yamllint from Debian, kubernetes-models pinned by
# infra/k8s/schema-check/package-lock.json.
if ! command -v yamllint >/dev/null; then
  echo "test.sh: installing yamllint (the Kubernetes manifest tests need it)" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends yamllint >&2 </dev/null
fi
K8S_CHECK_DIR=infra/k8s/schema-check
if { [ ! -d "$K8S_CHECK_DIR/node_modules/kubernetes-models" ] || [ ! -d "$K8S_CHECK_DIR/node_modules/@kubernetes/client-node" ]; } \
   && command -v npm >/dev/null; then
  echo "test.sh: installing the Kubernetes schema check into $K8S_CHECK_DIR (npm ci)" >&2
  npm ci --prefix "$K8S_CHECK_DIR" --no-audit --no-fund >&2 ||
    echo "test.sh: npm ci failed; the manifest tests will skip locally and fail under CI=true" >&2
fi

started_pg=false
if [ -z "${PG_TEST_CONNECTION:-}" ]; then
  # A server already running from the data dir was started by someone else: not ours to stop afterwards.
  [ -n "$(running_port "$(realpath -m "${PG_TEST_DATADIR:-$(default_datadir)}")")" ] || started_pg=true
  PG_TEST_CONNECTION=$(bash infra/postgres/start-throwaway.sh "$PG_TEST_PORT" ${PG_TEST_DATADIR:+"$PG_TEST_DATADIR"})
fi
export PG_TEST_CONNECTION
# The AzureStorage profile's tests run against Azurite, as the PostgreSQL ones run against the server above. A failed
# start leaves AZURITE_TEST_CONNECTION unset: those tests then skip locally and fail under CI=true.
AZURITE_TEST_DATADIR=${AZURITE_TEST_DATADIR:-$REPO/.azurite-test}
started_azurite=false
if [ -z "${AZURITE_TEST_CONNECTION:-}" ]; then
  # Fresh data for each run: tests leave their tables behind, and one Azurite process serves them all.
  if [ -z "$(bash -c 'source infra/azurite/common.sh; running_pid "$1"' _ "$(realpath -m "$AZURITE_TEST_DATADIR")")" ]; then
    rm -rf "$AZURITE_TEST_DATADIR"
    started_azurite=true
  fi
  AZURITE_TEST_CONNECTION=$(bash infra/azurite/start.sh "$AZURITE_TEST_DATADIR") ||
    { echo "test.sh: Azurite did not start; the AzureStorage tests will skip locally and fail under CI=true" >&2; AZURITE_TEST_CONNECTION=; }
fi
export AZURITE_TEST_CONNECTION
stop_servers() {
  if $started_pg; then
    bash infra/postgres/stop-throwaway.sh ${PG_TEST_DATADIR:+"$PG_TEST_DATADIR"} >/dev/null 2>&1 || true
  fi
  if $started_azurite; then
    bash infra/azurite/stop.sh "$AZURITE_TEST_DATADIR" >/dev/null 2>&1 || true
  fi
}
trap stop_servers EXIT

rm -rf "$RESULTS"
# LogFilePrefix, not LogFileName: with a fixed LogFileName every test project of a solution
# writes the same file and only the last one survives; a prefix gets one file per project.
rc=0
dotnet test "$TEST_TARGET" -c Release --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS" "$@" || rc=$?

mapfile -t trx < <(find "$RESULTS" -name '*.trx' 2>/dev/null | sort)
# Sum <Counters .../> over the TRX files: "passed failed total".
# Failed counts error/timeout/aborted too; skipped is whatever is neither passed nor failed
# (xunit skips show up in no counter of their own, only in total).
if [ ${#trx[@]} -eq 0 ]; then
  counts="0 0 0"
elif command -v python3 >/dev/null; then
  counts=$(python3 - "${trx[@]}" <<'PY'
import sys, xml.etree.ElementTree as ET
p = f = t = 0
for path in sys.argv[1:]:
    for c in ET.parse(path).iter():
        if c.tag.endswith('}Counters') or c.tag == 'Counters':
            n = lambda k: int(c.get(k, 0))
            p += n('passed'); t += n('total')
            f += n('failed') + n('error') + n('timeout') + n('aborted')
print(p, f, t)
PY
)
else
  sum() { grep -ho '<Counters [^>]*>' "${trx[@]}" | grep -o " $1=\"[0-9]*\"" | tr -dc '0-9\n' | awk '{s+=$1} END {print s+0}'; }
  counts="$(sum passed) $(( $(sum failed) + $(sum error) + $(sum timeout) + $(sum aborted) )) $(sum total)"
fi
read -r passed failed total <<<"$counts"
skipped=$(( total - passed - failed ))

if [ ${#trx[@]} -eq 0 ]; then
  echo "test.sh: no TRX file was produced under $RESULTS" >&2; [ $rc -ne 0 ] || rc=1
elif [ $(( passed + failed )) -eq 0 ]; then
  echo "test.sh: no test ran" >&2; [ $rc -ne 0 ] || rc=1
fi

stop_servers; trap - EXIT
line="tests: $passed passed, $failed failed"
[ "$skipped" -le 0 ] || line="$line, $skipped skipped"
echo "$line"
exit $rc
