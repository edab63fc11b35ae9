#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan, and runs each for a time
# budget, starting from the seed corpus in tests/fuzz/corpus/<target>/ and the inputs of
# past bugs in tests/fuzz/regressions/<target>/. New inputs go to
# <build>/fuzz-work/<target>/corpus, crashes to <build>/fuzz-work/<target>/crashes.
# Exits non-zero when any target found a crash, a leak, a timeout or an out-of-memory.
#
# Usage: tests/fuzz/run_fuzzers.sh [seconds per target, default 20] [target...]
#   LMC_FUZZ_BUILD   build directory (default build-fuzz)
#   LMC_FUZZ_JOBS    parallel build jobs and fuzzers run at once (default: the cores)
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ir_parser gguf safetensors tokenizer_json model_yaml artifact kernel_object json_schema gbnf jinja pass_file kv_snapshot image)
build=${LMC_FUZZ_BUILD:-build-fuzz}
# libFuzzer cuts every input, seeds included, to -max_len: at 64 KiB the micro llama's
# artifact (71 kB) lost its tail, and no input could reach a size where a superlinear
# reader shows (a 100k-character expression, a GGUF with 10^5 keys). 1 MiB keeps each
# run of a reader within a few milliseconds.
max_len=1048576

# The build's seconds and the run's, like scripts/setup.sh's phases: on stderr, and appended
# to $LMC_STAGE_TIMES when set (.ci/run's summary).
stage_done() {
  echo "fuzz: $1 in $2 s" >&2
  [ -z "${LMC_STAGE_TIMES:-}" ] || printf '%s\t%s\n' "$1" "$2" >> "$LMC_STAGE_TIMES"
}

start=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DLMC_FUZZ=ON -DLMC_SANITIZE=ON >/dev/null || exit 1
fi
cmake --build "$build" -j"${LMC_FUZZ_JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}" || exit 1
stage_done "configure and build of $build's fuzz targets" $(( $(date +%s) - start ))
start=$(date +%s)

# One target's run; its exit status is the fuzzer's.
fuzz_one() {
  local t=$1 work="$build/fuzz-work/$1"
  mkdir -p "$work/corpus" "$work/crashes"
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb: one using 2 GB is unbounded
  # allocation from a lying header. Both count as failures.
  local seeds=("tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && seeds+=("tests/fuzz/regressions/$t")
  "$build/tests/fuzz/fuzz_$t" "$work/corpus" "${seeds[@]}" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -artifact_prefix="$work/crashes/" \
    -print_final_stats=1 >"$work/log" 2>&1
}

# Targets run side by side, one per core (LMC_FUZZ_JOBS): each fuzzer is one process.
jobs=${LMC_FUZZ_JOBS:-$(nproc)}
declare -A pid_of
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  echo "fuzz: $t for ${seconds} s" >&2
  fuzz_one "$t" &
  pid_of[$t]=$!
done
failed=()
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  if ! wait "${pid_of[$t]}"; then
    failed+=("$t")
    tail -n 60 "$work/log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work/log" | sed "s/^/  $t /" >&2
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/fuzz-work/<target>/crashes/)" >&2
  exit 1
fi
stage_done "${#targets[@]} fuzz targets ran clean for ${seconds} s each" $(( $(date +%s) - start ))
