#!/usr/bin/env bash
# quant-threshold's measured mode through lmc compile: every linear of SmolLM2 (its file's
# q4_1 blocks requantized, so none is kept as stored) gets a decision from kernels timed on
# this machine. Exit 77 (skip) without the weights.
set -euo pipefail
lmc=$1 src=$2 out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ -e "$src/models/weights/SmolLM2-135M-Instruct.Q4_1.gguf" ] || exit 77
"$lmc" compile "$src/models/llama.yaml" --quant-mode=measured --requantize=q8_0 --remarks --emit-ir -o "$out/g.lir" 2> "$out/err"
decisions=$(grep -c "remark: quant-threshold: .* measured f32 [0-9.]* us vs q8_0 [0-9.]* us" "$out/err")
# 30 layers x (qkv, o, gate_up, down) + the output projection.
[ "$decisions" -eq 121 ] || { echo "expected 121 measured decisions, got $decisions"; cat "$out/err"; exit 1; }
"$lmc" opt "$out/g.lir" > /dev/null
