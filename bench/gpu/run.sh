#!/usr/bin/env bash
# The webgpu target's figures on a Linux machine with an NVIDIA GPU, beside PyTorch CUDA and
# the CPU in the same run. One JSON object per line on stdout (progress on stderr):
#
#   bench/gpu/run.sh [--quick] > gpu-figures.jsonl
#
# Figures: GEMM 4096² float32 and GEMV 1×8192×8192 against the device's copy bandwidth
# (bench/src/gpu.ts, and bench/gpu/torch_cuda.py with TF32 off); a training step of the GPT
# `small` preset on webgpu, on the native CPU target (all cores) and in PyTorch CUDA; GGUF
# decode of the ~110M test model (F16, Q8_0, Q4_0) on webgpu and llama.cpp on all cores
# (`npm run bench -- decode`, where bench/setup.sh installed node-llama-cpp).
#
# It brings what a bare machine lacks: Node (when `node` is missing or older than 20) and the
# Vulkan loader from bench/gpu/bundle (made by bench/gpu/pack.sh on a machine that has
# them), and an ICD file for the NVIDIA driver when the driver installed none (Dawn reaches
# the GPU through Vulkan; the NVIDIA Vulkan driver also needs libglvnd's
# libGLdispatch.so.0, bundled too). The repository must be built (npm ci; tsc -p bench).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundle="$here/bundle"
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)
say() { echo "gpu bench: $*" >&2; }
line() { node -e 'process.stdout.write(JSON.stringify(Object.fromEntries(process.argv.slice(1).map((a) => a.split("=", 2))))+"\n")' "$@"; }

# Node 20 or later: the machine's, else the bundled one.
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null || [ "$(node_major node)" -lt 20 ]; then
  [ -x "$bundle/node/bin/node" ] || { say "no Node 20+ here and no $bundle/node (run bench/gpu/pack.sh where Node is)"; exit 1; }
  export PATH="$bundle/node/bin:$PATH"
fi

# The Vulkan loader: the system's, else the bundled one (with libGLdispatch for NVIDIA's driver).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  [ -f "$bundle/lib/libvulkan.so.1" ] || { say "no Vulkan loader here and none in $bundle/lib"; exit 1; }
  export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
elif ! ldconfig -p 2>/dev/null | grep -q 'libGLdispatch\.so\.0 ' && [ -f "$bundle/lib/libGLdispatch.so.0" ]; then
  export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# The NVIDIA driver's ICD file: where the driver put it, else one written for its library.
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  icd=""
  for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json /usr/share/glvnd/../vulkan/icd.d/nvidia_icd*.json; do
    [ -f "$f" ] && { icd="$f"; break; }
  done
  if [ -z "$icd" ]; then
    glx="$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 /{print $NF; exit}')"
    if [ -n "$glx" ]; then
      icd="$bundle/nvidia_icd.json"
      mkdir -p "$bundle"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" >"$icd"
    fi
  fi
  if [ -n "$icd" ]; then
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
  else
    say "no NVIDIA Vulkan driver found: Dawn takes whatever adapter Vulkan offers"
  fi
fi

cd "$root"
[ -f dist/src/index.js ] || { say "build the repository first (npm ci)"; exit 1; }
[ -f bench/dist/gpu.js ] || npx tsc -p bench >/dev/null 2>&1 || [ -f bench/dist/gpu.js ] || { say "build the benches first (npx tsc -p bench)"; exit 1; }

gpu_name="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)"
line figure=machine "gpu=$gpu_name" "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
  "cores=$(nproc)" "node=$(node --version)" "load=$(cut -d' ' -f1-3 /proc/loadavg)"
INFINISET_TARGET=webgpu node dist/src/cli/main.js doctor --json | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const w = JSON.parse(s).webgpu;
    process.stdout.write(JSON.stringify({ figure: "adapter", ...w }) + "\n");
    if (!w.available) process.exit(1);
  });' || { say "no WebGPU adapter: see the adapter line"; exit 1; }

say "webgpu: gemm, gemv, train…"
INFINISET_TARGET=webgpu node bench/dist/gpu.js "${quick[@]}" --target webgpu
say "native CPU: train…"
INFINISET_TARGET=native node bench/dist/gpu.js "${quick[@]}" --target native --only train || say "native target failed"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  say "PyTorch CUDA…"
  python3 "$here/torch_cuda.py" "${quick[@]}" || say "PyTorch failed"
else
  line figure=pytorch-cuda error="PyTorch with CUDA does not import here"
fi
say "GGUF decode…"
impls=webgpu
[ -d bench/node_modules/node-llama-cpp ] && impls=webgpu,llama.cpp
node bench/dist/run.js decode --json --models "$([ ${#quick[@]} -gt 0 ] && echo 15m || echo 110m)" \
  --types F16,Q8_0,Q4_0 --impls "$impls" --threads-list "$(nproc)" \
  | node -e 'require("node:readline").createInterface({ input: process.stdin }).on("line", (l) => {
      try { process.stdout.write(JSON.stringify({ figure: "decode", ...JSON.parse(l) }) + "\n"); } catch {}
    })' || say "decode bench failed"
