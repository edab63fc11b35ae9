#!/usr/bin/env bash
# A pass plugin built outside the tree, as docs/writing-a-pass.md tells a researcher to:
# install the build into a fresh prefix, build each example plugin (examples/passes:
# norm_into_linear, a pass; softsign, an op and a pass using it) on its own with
# find_package(lmc), and run its ctest: its lit tests run on the installed harness
# (lmc_add_lit_test, %plugin) and the installed lmc, FileCheck and all, as lmc's own do,
# and again by the installed `lmc lit`;
# then Gemma 3 270M's file compiled with a plugin's pass runs as an artifact without it.
# Usage: installed_plugin.sh <build> <source> <cmake> <ctest> <generator> <c++> <FileCheck> <lit> <python>
# (<python>: the one lmc's tests run on, with numpy: the package must hand it to the plugins'
# lit tests by itself, whatever python3 comes first on PATH)
set -euo pipefail
build=$1 src=$2 cmake=$3 ctest=$4 generator=$5 cxx=$6 filecheck=$7 lit=$8 python=$9
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

"$cmake" --install "$build" --prefix "$prefix" > /dev/null
for example in norm_into_linear softsign; do
  "$cmake" -S "$src/examples/passes/$example" -B "$work/$example" -G "$generator" \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" -DCMAKE_PREFIX_PATH="$prefix" \
    -DLMC_FILECHECK="$filecheck" -DLMC_LIT="$lit" > /dev/null
  "$cmake" --build "$work/$example"
  "$ctest" --test-dir "$work/$example" --output-on-failure
  # The harness ran the installed lmc, not the build's.
  grep -qF "config.lmc_path = \"$prefix/bin/lmc\"" "$work/$example/${example}_lit/lit.site.cfg.py"
  # ... on lmc's Python, which the package remembered.
  grep -qF "config.python_executable = \"$python\"" "$work/$example/${example}_lit/lit.site.cfg.py"
  # The same tests by `lmc lit`, without CMake, from an environment with nothing but the
  # system on PATH: the installed lmc brings the harness, FileCheck and lit.
  library=$(find "$work/$example" -maxdepth 1 -name '*.so' | head -1)
  env -i "HOME=$work" "PATH=/usr/bin:/bin" "$prefix/bin/lmc" lit "$src/examples/passes/$example/test" \
    --load-pass-plugin="$library" > "$work/lit.txt"
  grep -q "Passed *: 1" "$work/lit.txt"
done
# An artifact compiled with a plugin's pass runs, benches and verifies in the installed lmc
# without the plugin: its manifest records the pipeline for reading, and running the
# artifact needs none of its passes' code.
plugin=$(find "$work/norm_into_linear" -maxdepth 1 -name '*.so' | head -1)
artifact=$work/gemma3-plugin.lmc
"$prefix/bin/lmc" compile "$src/models/weights/gemma-3-270m-q4_k_m.gguf" --load-pass-plugin="$plugin" \
  --passes=default,norm-into-linear -o "$artifact" > /dev/null
# (Outputs go to files before grep -q reads them: under pipefail, grep leaving early would
# fail the writer with SIGPIPE.)
"$prefix/bin/lmc" inspect "$artifact" > "$work/inspect.txt"
grep -q "norm-into-linear" "$work/inspect.txt"
"$prefix/bin/lmc" run "$artifact" --prompt "The capital of France is" -n 4 > /dev/null
"$prefix/bin/lmc" bench "$artifact" -r 1 -n 4 -p 8 > /dev/null
"$prefix/bin/lmc" verify "$artifact" > "$work/verify.txt"
grep -q "ok      pass plugins: 1 recorded" "$work/verify.txt"
# The manifest records the plugin by path and content: a changed library is refused by name.
printf 'x' >> "$plugin"
if out=$("$prefix/bin/lmc" verify "$artifact" 2>&1); then echo "verify accepted a changed plugin"; exit 1; fi
grep -qF "$plugin changed since it compiled this artifact" <<< "$out"
echo "installed_plugin: both example plugins built against $prefix and their lit tests passed in the installed lmc; an artifact of a plugin's pipeline ran"
