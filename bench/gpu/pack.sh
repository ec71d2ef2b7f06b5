#!/usr/bin/env bash
# Fills bench/gpu/bundle with what bench/gpu/run.sh needs on a machine that lacks it: this
# machine's Node binary, a Vulkan loader (the system's, else the one Debian's chromium
# ships) and libglvnd's libGLdispatch.so.0 (which the NVIDIA Vulkan driver loads). Run it
# where those exist; carry the repository (built: dist/, bench/dist/, node_modules/webgpu)
# with bench/gpu/bundle to the GPU machine.
set -euo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)/bundle"
mkdir -p "$bundle/node/bin" "$bundle/lib"
cp "$(command -v node)" "$bundle/node/bin/node"
find_lib() { ldconfig -p | awk -v n="$1" '$1 == n {print $NF; exit}'; }
vulkan="$(find_lib libvulkan.so.1)"
[ -n "$vulkan" ] || vulkan=/usr/lib/chromium/libvulkan.so.1
cp -L "$vulkan" "$bundle/lib/libvulkan.so.1"
dispatch="$(find_lib libGLdispatch.so.0)"
[ -n "$dispatch" ] && cp -L "$dispatch" "$bundle/lib/libGLdispatch.so.0"
du -sh "$bundle" >&2
