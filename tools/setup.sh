#!/usr/bin/env bash
# Installs what lmc needs (Debian packages, PyPI packages, the real model weights) and
# builds it. Idempotent: when everything is present it only runs an incremental build.
# Usage: tools/setup.sh [build-dir] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true

apt_packages=(cmake ninja-build g++ llvm-19-dev llvm-19-tools libtbb-dev libboost-graph-dev
              libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev graphviz
              libssl-dev libxxhash-dev pkg-config python3-pip)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 - <<'PY' || python3 -m pip install -q --disable-pip-version-check gguf==0.19.0 numpy tokenizers xxhash
import gguf, numpy, tokenizers, xxhash
PY
python3 tools/fetch_models.py

if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
cmake --build "$build" -j"$(nproc)"
