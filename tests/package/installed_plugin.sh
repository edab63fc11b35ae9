#!/usr/bin/env bash
# A pass plugin built outside the tree, as docs/writing-a-pass.md tells a researcher to:
# install the build into a fresh prefix, build examples/passes/norm_into_linear on its own
# with find_package(lmc) and run its ctest, then run the installed lmc with the plugin on
# the example's lit test graph, checked by that test's own CHECK lines.
# Usage: installed_plugin.sh <build> <source> <cmake> <ctest> <generator> <c++> <FileCheck>
set -euo pipefail
build=$1 src=$2 cmake=$3 ctest=$4 generator=$5 cxx=$6 filecheck=$7
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix test=$src/tests/lit/examples/norm_into_linear.lir

"$cmake" --install "$build" --prefix "$prefix" > /dev/null
"$cmake" -S "$src/examples/passes/norm_into_linear" -B "$work/plugin" -G "$generator" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
"$cmake" --build "$work/plugin"
"$ctest" --test-dir "$work/plugin" --output-on-failure

"$prefix/bin/lmc" opt "$test" --load-pass-plugin="$work/plugin/liblmc_norm_into_linear.so" \
  --passes=norm-into-linear --pass-stats --remarks -o "$work/out.lir" 2> "$work/err"
"$filecheck" "$test" --input-file="$work/out.lir"
"$filecheck" "$test" --input-file="$work/err" --check-prefix=STATS
echo "installed_plugin: the plugin built against $prefix ran in the installed lmc"
