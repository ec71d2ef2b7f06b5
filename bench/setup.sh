#!/usr/bin/env bash
# Installs the benchmark peers into bench/node_modules from bench/package-lock.json (the root
# `npm ci` never installs them). onnxruntime-node's install step would fetch GPU binaries;
# ONNXRUNTIME_NODE_INSTALL=skip keeps the CPU binaries that its npm package ships.
#
#   bench/setup.sh           the npm peers
#   bench/setup.sh --torch   also Debian's PyTorch and OpenBLAS (apt-get, as root)
set -euo pipefail
cd "$(dirname "$0")"

ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

if [[ "${1:-}" == "--torch" ]]; then
  apt-get update
  apt-get install -y python3-torch libopenblas0
fi

if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') in /usr/bin/python3"
else
  echo "PyTorch: not importable by /usr/bin/python3; the PyTorch figures will be skipped" \
    "(bench/setup.sh --torch installs python3-torch and libopenblas0)"
fi
