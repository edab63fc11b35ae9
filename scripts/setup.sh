#!/usr/bin/env bash
# Installs what lmc needs (Debian packages, PyPI packages, the real model weights) and
# builds it. Idempotent: when everything is present it only runs an incremental build.
# Usage: scripts/setup.sh [build-dir] [extra cmake args...]
#
# The PyPI packages go into a virtual environment, .venv/ at the repository root, made
# from Debian's python3 (LMC_PYTHON overrides it): Debian's python3 refuses pip installs
# into the system (PEP 668). The build is configured with its interpreter, so every test
# runs Python from it.
#
# Each phase's seconds go to stderr ("setup: ... in N s"), and with LMC_STAGE_TIMES set, as
# "<label><TAB><seconds>" lines appended to that file (.ci/run's summary).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true

phase_start=$(date +%s)
phase_done() {
  local s=$(( $(date +%s) - phase_start ))
  echo "setup: $1 in $s s" >&2
  [ -z "${LMC_STAGE_TIMES:-}" ] || printf '%s\t%s\n' "$1" "$s" >> "$LMC_STAGE_TIMES"
  phase_start=$(date +%s)
}

apt_packages=(cmake ninja-build g++ llvm-19-dev llvm-19-tools libtbb-dev libboost-graph-dev
              libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev graphviz
              libssl-dev nettle-dev libxxhash-dev libpcre2-dev libutf8proc-dev libcli11-dev nlohmann-json3-dev pkg-config
              libopenmpi-dev openmpi-bin python3-venv gdb libedit-dev libdtl-dev)
# The compile report lays its pictures out with Graphviz's library; its test opens a report
# in headless Chromium, driven by selenium (PyPI, below) through Debian's chromedriver.
apt_packages+=(libgraphviz-dev chromium chromium-driver)
# The chat page (tools/serve/server/webui) inlines Debian's marked, DOMPurify and highlight.js at build time.
apt_packages+=(libjs-marked node-dompurify libjs-highlight.js)
# Images in (models/image): PNG and JPEG decoded by Debian's libpng and libjpeg-turbo.
apt_packages+=(libpng-dev libturbojpeg0-dev)
# The house style's checker (.clang-format; tests/layout's format_check).
apt_packages+=(clang-format-19)
# The compiler cache both trees and every clone share (cmake/compiler_cache.cmake).
apt_packages+=(ccache)
# tests/e2e/llama_habits.sh reads answers as a llama.cpp user's script does.
apt_packages+=(curl jq sqlite3)
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

venv=$PWD/.venv
python=$venv/bin/python3
if ! "$python" -c "import pip" 2>/dev/null; then
  echo "setup: creating the Python virtual environment $venv" >&2
  # Debian's own python3 when there is one (the README's promise), else the first on PATH.
  base=${LMC_PYTHON:-/usr/bin/python3}
  [ -n "${LMC_PYTHON:-}" ] || [ -x "$base" ] || base=$(command -v python3)
  "$base" -m venv --clear "$venv" || { rm -rf "$venv"; exit 1; }
fi
"$python" - 2>/dev/null <<'PY' || "$python" -m pip install -q --disable-pip-version-check email-validator gguf==0.19.0 jinja2 jsonschema numpy openai pillow pydantic selenium tokenizers xxhash
import email_validator, gguf, jinja2, jsonschema, numpy, openai, PIL, pydantic, selenium, tokenizers, xxhash
PY
"$python" scripts/fetch_models.py
phase_done "packages, Python environment and model weights"

# Configure a new build directory; reconfigure an existing one only when its Python is not
# the virtual environment's (it keeps its other settings).
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE:FILEPATH="$python" "$@" >/dev/null
elif ! grep -qxF "Python3_EXECUTABLE:FILEPATH=$python" "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$build" -DPython3_EXECUTABLE:FILEPATH="$python" "$@" >/dev/null
fi
# The compiler cache's counters, to say how much of this build it served. Its statistics are
# the whole cache's, so the figure is exact when one build runs at a time (CI's case).
cache_counts() {
  command -v ccache >/dev/null || { echo "0 0"; return; }
  ccache --print-stats | awk -F'\t' '$1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 }
                                     $1 == "cache_miss" { m += $2 } END { print h + 0, m + 0 }'
}
read -r hits_before misses_before < <(cache_counts)
cmake --build "$build" -j"$(nproc)"
read -r hits_after misses_after < <(cache_counts)
hits=$(( hits_after - hits_before )); compiles=$(( hits + misses_after - misses_before ))
if [ "$compiles" -gt 0 ]; then
  echo "setup: compiler cache for $build: $hits of $compiles compiles hit ($(( 100 * hits / compiles ))%)" >&2
  # .ci/run's summary reads each tree's hits beside the stage times.
  [ -z "${LMC_STAGE_TIMES:-}" ] || printf '%s\t%s\t%s\n' "$build" "$hits" "$compiles" >> "$LMC_STAGE_TIMES.cache"
fi
phase_done "configure and build of $build"
