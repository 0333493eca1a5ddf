#!/usr/bin/env bash
# Offline checks of the manifests: YAML lint (yamllint), kustomize build (kubectl, when installed) and a schema
# validation of every object with kubernetes-models, strict about field names (schema-check/unknown-fields.mjs); both
# pinned by schema-check/package-lock.json and installed with npm ci.
# Nothing is deployed; no cluster is needed. With FILE arguments only those files are schema-checked.
#   usage: infra/k8s/validate.sh [FILE.yaml...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo

if ! command -v yamllint >/dev/null; then
  { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q yamllint </dev/null; } >&2
fi
if [ ! -d schema-check/node_modules/kubernetes-models ] || [ ! -d schema-check/node_modules/@kubernetes/client-node ]; then
  npm ci --prefix schema-check --no-audit --no-fund --silent >&2
fi

if [ $# -gt 0 ]; then
  node schema-check/validate.mjs "$@"
  exit
fi
yamllint -s -c .yamllint.yaml ./*.yaml && echo "ok    yamllint"
if command -v kubectl >/dev/null; then
  kubectl kustomize . >/dev/null && echo "ok    kubectl kustomize"
else
  echo "skip  kubectl kustomize (no kubectl)"
fi
node schema-check/validate.mjs ./*.yaml
