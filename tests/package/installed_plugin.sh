#!/usr/bin/env bash
# A pass plugin built outside the tree, as docs/writing-a-pass.md tells a researcher to:
# install the build into a fresh prefix, build examples/passes/norm_into_linear on its own
# with find_package(lmc), and run its ctest: the installed lmc loads the plugin, and the
# example's lit tests run on the installed harness (lmc_add_lit_test, %plugin), FileCheck
# and all, as lmc's own do.
# Usage: installed_plugin.sh <build> <source> <cmake> <ctest> <generator> <c++> <FileCheck> <lit>
set -euo pipefail
build=$1 src=$2 cmake=$3 ctest=$4 generator=$5 cxx=$6 filecheck=$7 lit=$8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

"$cmake" --install "$build" --prefix "$prefix" > /dev/null
"$cmake" -S "$src/examples/passes/norm_into_linear" -B "$work/plugin" -G "$generator" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" -DCMAKE_PREFIX_PATH="$prefix" \
  -DLMC_FILECHECK="$filecheck" -DLMC_LIT="$lit" > /dev/null
"$cmake" --build "$work/plugin"
"$ctest" --test-dir "$work/plugin" --output-on-failure
# The harness ran the installed lmc, not the build's.
grep -qF "config.lmc_path = \"$prefix/bin/lmc\"" "$work/plugin/norm_into_linear_lit/lit.site.cfg.py"
echo "installed_plugin: the plugin built against $prefix and its lit tests passed in the installed lmc"
