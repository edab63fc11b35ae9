#!/usr/bin/env bash
# A llama.cpp user's habits, as a script of theirs types them: llama-cli's (llama-completion's)
# command lines, llama-bench's formats read by sqlite3 and jq, llama-server's answers read by
# curl and jq. Each habit prints one line saying the shape of what came back (never the text
# or the figures, which differ between two engines); the lines must equal EXPECTED, recorded
# from llama.cpp's tools (0.3.36) and lmc alike.
#
# Usage: tests/e2e/llama_habits.sh MODEL.gguf EXPECTED
#   LMC=path/to/lmc           runs lmc: `lmc -m ...` (no command, as llama-cli), `lmc bench`, `lmc serve`
#   LLAMA_CPP_BIN=dir         runs llama.cpp's binaries instead: dir/llama-completion, llama-bench, llama-server
# Needs curl, jq and sqlite3. Exit 0 when every line matches, 1 with the difference otherwise, 77
# when MODEL is absent.
set -euo pipefail

model=${1:?usage: llama_habits.sh MODEL.gguf EXPECTED}
expected=${2:?usage: llama_habits.sh MODEL.gguf EXPECTED}
if [ -n "${LLAMA_CPP_BIN:-}" ]; then
  cli=("$LLAMA_CPP_BIN/llama-completion")
  bench=("$LLAMA_CPP_BIN/llama-bench")
  server=("$LLAMA_CPP_BIN/llama-server")
else
  : "${LMC:?set LMC to lmc's binary or LLAMA_CPP_BIN to llama.cpp's folder of binaries}"
  cli=("$LMC")
  bench=("$LMC" bench)
  server=("$LMC" serve)
fi
[ -f "$model" ] || { echo "llama_habits.sh: $model absent: skipped" >&2; exit 77; }
for tool in curl jq sqlite3; do
  command -v "$tool" >/dev/null || { echo "llama_habits.sh: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
got=$work/got
prompt="The capital of France is"

# What a command wrote, or its stderr and exit code when it failed.
run() {
  local out=$1
  shift
  local rc=0
  timeout 600 "$@" >"$out" 2>"$work/stderr" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "llama_habits.sh: failed (exit $rc): $*" >&2
    cat "$work/stderr" >&2
    return 1
  fi
}

# --- llama-cli ---
# -n 0 generates nothing, and shows nothing but blank lines.
run "$work/n0" "${cli[@]}" -m "$model" -p "$prompt" -n 0 -no-cnv --temp 0
if [ -z "$(tr -d ' \n' <"$work/n0")" ]; then
  echo "cli -n 0: nothing shown" >>"$got"
else
  echo "cli -n 0: shows $(head -c 200 "$work/n0")" >>"$got"
fi
# --temp -1 is greedy and --top-k -1 no limit: both taken.
run "$work/greedy" "${cli[@]}" -m "$model" -p "$prompt" -n 2 -no-cnv --temp -1 --top-k -1
echo "cli --temp -1 --top-k -1: taken" >>"$got"

# --- llama-bench ---
tests_of() {  # the test names of n_prompt|n_gen rows, in order
  awk -F'|' '{ printf "%s%s", sep, ($1 > 0 ? "pp" $1 : "tg" $2); sep = " " } END { print "" }'
}
run "$work/bench.sql" "${bench[@]}" -m "$model" -p 8 -n 2 -r 1 -t 1 -o sql
table=$(sed -n 's/^CREATE TABLE IF NOT EXISTS \([A-Za-z_]*\) (.*/\1/p' "$work/bench.sql")
echo "bench -o sql: table $table" >>"$got"
echo "bench -o sql: tests $( (cat "$work/bench.sql"; echo "SELECT n_prompt, n_gen FROM $table ORDER BY rowid;") |
  sqlite3 | tests_of)" >>"$got"
run "$work/bench.md" "${bench[@]}" -m "$model" -p 8 -n 2 -r 1 -t 1
column=$(head -1 "$work/bench.md" | awk -F'|' '{ for (i = 1; i <= NF; i++) if ($i ~ /^ *test *$/) print i }')
echo "bench -o md: tests $(awk -F'|' -v c="$column" 'NR > 2 && /^\|/ { gsub(/ /, "", $c); printf "%s%s", sep, $c; sep = " " }
  END { print "" }' "$work/bench.md")" >>"$got"
grep -Eq '^build: [^ ]+ \([0-9]+\)$' "$work/bench.md" && echo "bench -o md: build footer" >>"$got"
run "$work/bench.json" "${bench[@]}" -m "$model" -p 0 -n 1 -r 1 -o json
echo "bench default -t: $(jq '[.[].n_threads] | unique | length' "$work/bench.json") thread count(s)" >>"$got"

# --- llama-server ---
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${server[@]}" -m "$model" --host 127.0.0.1 --port "$port" -c 1024 -np 1 >"$work/server.log" 2>&1 &
server_pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 600); do
  curl -sf "$url/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "llama_habits.sh: the server ended" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
keys() { jq -r "$1"' | keys | join(" ")'; }
has() {  # which of the names given $2... the object $1 of stdin has
  local path=$1
  shift
  jq -r "$path"' as $o | [$ARGS.positional[] | select(. as $k | $o | has($k))] | join(" ")' --args "$@"
}
curl -sf "$url/v1/models" >"$work/models"
echo "server /v1/models: $(keys . <"$work/models")" >>"$got"
echo "server /v1/models data[0]: $(keys '.data[0]' <"$work/models")" >>"$got"
echo "server /v1/models meta: $(keys '.data[0].meta' <"$work/models")" >>"$got"
echo "server /v1/models models[0]: $(keys '.models[0]' <"$work/models")" >>"$got"
curl -sf "$url/completion" -d "{\"prompt\": \"$prompt\", \"n_predict\": 4, \"temperature\": -1, \"top_k\": -1}" \
  >"$work/completion"
echo "server /completion: $(keys . <"$work/completion")" >>"$got"
echo "server /completion: tokens_cached - tokens_evaluated - tokens_predicted = $(jq \
  '.tokens_cached - .tokens_evaluated - .tokens_predicted' "$work/completion")" >>"$got"
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/completion" -d '{"prompt": "Hi", "n_predict": 1, "temperature": 5}')
echo "server /completion temperature 5: $status" >>"$got"
echo "server /props: $(curl -sf "$url/props" | has . default_generation_settings total_slots model_path \
  endpoint_slots endpoint_props endpoint_metrics ui build_info)" >>"$got"
echo "server /slots idle: $(curl -sf "$url/slots" | has '.[0]' id n_ctx is_processing id_task params next_token)" >>"$got"

if ! diff -u "$expected" "$got"; then
  echo "llama_habits.sh: the shapes above differ from $expected" >&2
  exit 1
fi
echo "llama_habits.sh: $(wc -l <"$got") shapes as expected"
