#!/usr/bin/env bash
# `lmc lit` end to end: a folder of lit tests with no configuration of its own runs on the
# plugin harness (one passing test, one failing: exit 0, 1, and 1 for the folder holding
# both), a path that is not there is an error naming it, and one of lmc's own tests runs
# from an environment that has nothing on PATH but the system's (no FileCheck, no lit).
# Usage: lmc_lit.sh <lmc> <source dir>
set -euo pipefail
lmc=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tests"

cat > "$work/tests/pass.lir" <<'LIR'
// RUN: lmc opt %s --passes=dce | FileCheck %s
// CHECK: graph @g(%x: f32[T,8])
// CHECK-NOT: %dead
graph @g(%x: f32[T,8]) {
  %dead = scale %x {factor = 2.0} : f32[T,8]
  return %x
}
LIR
cat > "$work/tests/fail.lir" <<'LIR'
// RUN: lmc opt %s --passes=dce | FileCheck %s
// CHECK: %dead
graph @g(%x: f32[T,8]) {
  %dead = scale %x {factor = 2.0} : f32[T,8]
  return %x
}
LIR

expect() {  # expect <exit code> <what> <command...>
  local want=$1 what=$2 got=0
  shift 2
  "$@" > "$work/out" 2>&1 || got=$?
  if [ "$got" != "$want" ]; then
    echo "lmc_lit: $what: exit $got, expected $want"; cat "$work/out"; exit 1
  fi
}
cat > "$work/split.lir" <<'LIR'
// RUN: split-file %s %t
// RUN: lmc opt %t/graph.lir --passes=dce
//--- graph.lir
graph @g(%x: f32[T,8]) {
  %y = nosuchop %x : f32[T,8]
  return %y
}
LIR
clean_env=(env -i "HOME=$work" "PATH=/usr/bin:/bin")

expect 0 "a passing test" "${clean_env[@]}" "$lmc" lit "$work/tests/pass.lir"
grep -q "Passed *: 1" "$work/out"
expect 1 "a failing test" "${clean_env[@]}" "$lmc" lit "$work/tests/fail.lir"
grep -q "FAIL: tests :: fail.lir" "$work/out"
expect 1 "a folder with a failing test" "${clean_env[@]}" "$lmc" lit "$work/tests"
grep -q "Failed *: 1" "$work/out"
# A failure on a part split-file cut out of the test names the test's line, not only the
# part in lit's scratch folder, gone when lmc lit ends.
mkdir "$work/split" && mv "$work/split.lir" "$work/split/"
expect 1 "a failing split test" "${clean_env[@]}" "$lmc" lit "$work/split/split.lir"
grep -qF "(lit test: $work/split/split.lir:5)" "$work/out"
expect 1 "a path that is not there" "$lmc" lit "$work/nothing.lir"
grep -qF "$work/nothing.lir: error: no such test file or folder" "$work/out"
expect 2 "no path" "$lmc" lit
# One of lmc's own tests, by its source path, as the build configured the suite.
expect 0 "lmc's own test" "${clean_env[@]}" "$lmc" lit "$src/tests/lit/passes/fuse_qkv.lir"
grep -q "Passed *: 1" "$work/out"
echo "lmc_lit: a passing and a failing test and a folder ran with lit's exit codes; a failing split test named its line; lmc's own test passed"
