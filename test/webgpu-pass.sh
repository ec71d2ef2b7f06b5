#!/usr/bin/env bash
# The webgpu pass of `npm test`: the instruction and differential tests, random fused
# programs and a short training run on the webgpu target. Where Vulkan has no driver
# (CI), Dawn runs on SwiftShader, the CPU Vulkan of Debian's chromium package.
set -euo pipefail
swiftshader=/usr/lib/chromium/vk_swiftshader_icd.json
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f "$swiftshader" ] && ! ls /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1; then
  export VK_ICD_FILENAMES=$swiftshader
  export LD_LIBRARY_PATH=/usr/lib/chromium${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
INFINISET_TARGET=webgpu exec node --test --test-reporter=spec \
  dist/test/isa/reference.test.js dist/test/isa/targets.test.js dist/test/targets/webgpu/
