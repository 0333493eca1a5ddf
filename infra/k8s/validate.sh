#!/usr/bin/env bash
# Offline checks of the manifests: YAML lint, kustomize build, and schema validation (types, required fields, enums)
# with the schemas of the npm package kubernetes-models. Nothing is deployed; no cluster is needed.
#   usage: infra/k8s/validate.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
MODULES_DIR=${K8S_VALIDATE_DIR:-$HOME/.cache/purchasegrains-k8s-validate}

command -v yamllint >/dev/null ||
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q yamllint </dev/null; } >&2
yamllint -s -c .yamllint.yaml ./*.yaml && echo "ok    yamllint"

if command -v kubectl >/dev/null; then
  kubectl kustomize . >/dev/null && echo "ok    kubectl kustomize"
else
  echo "skip  kubectl kustomize (no kubectl)"
fi

if [ ! -d "$MODULES_DIR/node_modules/kubernetes-models" ]; then
  mkdir -p "$MODULES_DIR"
  npm install --prefix "$MODULES_DIR" --no-audit --no-fund --silent kubernetes-models@5.1.0 yaml@2 >&2
fi
K8S_VALIDATE_MODULES=$MODULES_DIR/node_modules node validate.mjs ./*.yaml
