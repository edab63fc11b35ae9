"""Bad-input rows (test_bad_inputs.py) of model definitions (YAML), with the variants of
the tiny model's weights they read, and the Q1_0 weights make_shared writes.
"""
import json
import os
import tempfile

import bad_input_kit as kit
from bad_input_kit import ERROR, FIFO, ROOT, USAGE, Row, tiny_yaml
import make_random_checkpoint  # noqa: E402 (on bad_input_kit's path)
import make_tiny_model  # noqa: E402 (on bad_input_kit's path)


EPILOGUE = make_tiny_model.YAML[make_tiny_model.YAML.index("epilogue:"):make_tiny_model.YAML.index("outputs:")]


def tiny_gguf_variant(**changes):
    """tiny.gguf written again with make_tiny_model.write_gguf's `changes` (a tensor hook,
    another epsilon), as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.gguf")
        make_tiny_model.write_gguf(path, make_tiny_model.TINY, **changes)
        with open(path, "rb") as f:
            return f.read()


def short_embedding(name, t):
    """The token embedding cut to 200 of the vocabulary's 300 rows."""
    return t[:200] if name == "token_embd.weight" else t


def write_tiny_gpt2(d):
    """A GPT-2 checkpoint in d/gpt2 whose learned position table has 8 rows, and d/m.yaml
    (models/gpt2.yaml reading it)."""
    config = dict(make_random_checkpoint.GPT2, n_embd=16, n_layer=1, n_head=2, n_positions=8, n_ctx=8,
                  vocab_size=600)
    make_random_checkpoint.write_checkpoint(os.path.join(d, "gpt2"), "gpt2", config, seed=1)
    with open(os.path.join(ROOT, "models", "gpt2.yaml")) as f:
        text = f.read().replace("weights/gpt2", "gpt2")
    with open(os.path.join(d, "m.yaml"), "w") as f:
        f.write(text)


def write_q1_0_weight_gguf(path):
    """tiny.gguf with one layer weight stored as ggml Q1_0, which lmc (like gguf-py) does not
    dequantize: compile gets as far as packing weights into the artifact before it fails."""
    import numpy as np
    from gguf import GGMLQuantizationType

    def to_q1_0(name, t):
        if name != "blk.1.ffn_down.weight":
            return t
        rows, cols = t.shape
        blocks = np.random.default_rng(3).integers(0, 256, (rows, cols // 128 * 18), dtype=np.uint8)
        return blocks, GGMLQuantizationType.Q1_0
    make_tiny_model.write_gguf(path, make_tiny_model.TINY, to_q1_0)


def rows():
    return [
        # Model definitions.
        Row("yaml_serves_unknown_format", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: serves: unknown weights format 'onnx' \(expected gguf or hf\)$",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nserves: {onnx: llama}"})}),
        Row("yaml_serves_empty_list", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: serves: empty list of architectures$",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nserves: {gguf: llama, hf: []}"})}),
        Row("yaml_syntax", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: ",
            {"m.yaml": lambda: tiny_yaml({"block:\n": "block:\n bad: [\n"})}),
        Row("yaml_unknown_chat_format", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: unknown chat format 'alpaca' \(known: chatml, llama3, gemma, ",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nchat: alpaca"})}),
        Row("yaml_chat_turn_without_content", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: the chat turn of '\w+' must contain '\{content\}' once$",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nchat: {turn: \"<{role}>\"}"})}),
        Row("yaml_scalar_expected", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: context must be a scalar",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: [64, 128]"})}),
        Row("yaml_list_expected", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: 'epilogue' must be a list of statements",
            {"m.yaml": lambda: tiny_yaml({EPILOGUE: "epilogue: 5\n"})}),
        Row("yaml_integer_expected", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+ \(attribute 'head_dim'\): error: expected an integer, got 25\.6",
            {"m.yaml": lambda: tiny_yaml({"n_heads: meta(\"llama.attention.head_count\")": "n_heads: 2.5"})}),
        Row("yaml_unknown_pass_option", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: passes: unknown pass option 'quant-min-dimm' \(did you mean 'quant-min-dim'\?\)$",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\npasses:\n  quant-min-dimm: 64"})}),
        Row("yaml_bad_pass_option_value", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: passes: quant-mode: expects one of rule\|measured, got 'fast'$",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\npasses:\n  quant-mode: fast"})}),
        Row("pipeline_option_typo", ["compile", "{dir}/m.yaml", "--passes=quant-threshold{min-dimm=3}", "-o",
                                     "{dir}/out.lmc"], USAGE,
            r"^lmc compile: --passes: column 17: pass 'quant-threshold' has no option 'min-dimm' "
            r"\(did you mean 'min-dim'\?\) \(see lmc compile --help\)$",
            {"m.yaml": lambda: tiny_yaml()}),
        Row("cost_table_malformed", ["compile", "{dir}/m.yaml", "--quant-mode=measured", "--cost-table={dir}/t.txt",
                                     "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*t\.txt:2: error: expected '<type> <seconds>'",
            {"m.yaml": lambda: tiny_yaml(), "t.txt": lambda: b"f32[64,64] 1e-5\nq8_0[64,64]\n"}),
        Row("yaml_unknown_key", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: unknown key 'layers'",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\nlayers: 3"})}),
        Row("yaml_non_scalar_key", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:1:3: error: a key must be a scalar",
            {"m.yaml": lambda: b"? [weights]\n: tiny.gguf\n"}),
        Row("yaml_duplicate_key", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:1: error: duplicate key 'context' \(first at \S*m\.yaml:\d+:1\)",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\ncontext: 128"})}),
        Row("yaml_deep_nesting", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: YAML nested deeper than \d+ levels",
            {"m.yaml": lambda: b"name: " + b"[" * 5000 + b"\n"}),
        Row("yaml_long_expression_is_cut", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: in expression '1 \+ 1 \+ .{0,80}\.\.\. \(\d+ more bytes\)': .{0,120}$",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: " + "1 + " * 50000 + "?"})}),
        Row("yaml_negative_eps", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: .*op 'rms_norm'.*: eps must be a finite number >= 0, is -0\.000010",
            {"m.yaml": lambda: tiny_yaml({'eps: meta("llama.attention.layer_norm_rms_epsilon")': "eps: -0.00001"})}),
        Row("yaml_nan_parameter", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: in expression 'sqrt\(0 - 1\)': sqrt\(\) gives -?nan",
            {"m.yaml": lambda: tiny_yaml({'eps: meta("llama.attention.layer_norm_rms_epsilon")': "eps: sqrt(0 - 1)"})}),
        Row("yaml_kv_append_of_row_ids", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: kv_append takes rows of keys or values \(rank 2\), got i32\[T\]",
            {"m.yaml": lambda: tiny_yaml({"kc = kv_append(k)": "kc = kv_append(positions)"})}),
        Row("yaml_pos_is_not_an_input", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: value 'pos' is not defined \(inputs: tokens, positions, seq, key_ends\)",
            {"m.yaml": lambda: tiny_yaml({"kc = kv_append(k)": "kc = kv_append(pos)"})}),
        Row("yaml_fifo", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: error: not a regular file \(a FIFO\)", {"m.yaml": lambda: FIFO}),
        Row("yaml_tokenizer_fifo", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*tok\.json: error: not a regular file \(a FIFO\)",
            {"m.yaml": lambda: tiny_yaml({"tokenizer: gguf": "tokenizer: tok.json"}), "tok.json": lambda: FIFO}),
        Row("yaml_missing_weight", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: weight 'blk\.0\.attn_z\.weight': .*",
            {"m.yaml": lambda: tiny_yaml({"blk.{i}.attn_v.weight": "blk.{i}.attn_z.weight"})}),
        Row("yaml_missing_weights_file", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*nope\.gguf: error: ",
            {"m.yaml": lambda: tiny_yaml(weights="nope.gguf")}),
        Row("vocabulary_larger_than_embedding", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: error: the tokenizer \(\S*m\.gguf\) has 300 tokens but the embedding table "
            r"'token_embd\.weight' has 200 rows$",
            {"m.gguf": lambda: tiny_gguf_variant(tensor_hook=short_embedding),
             "m.yaml": lambda: tiny_yaml(weights="m.gguf")}),
        Row("context_past_position_table", ["compile", "{dir}/m.yaml", "--context", "16", "-o", "{dir}/out.lmc"],
            ERROR, r"^\S*m\.yaml: error: the position table 'wpe\.weight' has 8 rows, fewer than the context of 16 "
                   r"\(lower it with --context\)$", setup=write_tiny_gpt2),
        Row("bpe_merge_not_in_vocabulary", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*tok\.json: error: merge 1 \('h', 'x'\) names a token that is not in the vocabulary$",
            {"m.yaml": lambda: tiny_yaml({"tokenizer: gguf": "tokenizer: tok.json"}),
             "tok.json": lambda: json.dumps({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
                                             "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, "hi": 2, "x": 3},
                                                       "merges": ["h i", "h x"]}}).encode()}),
        Row("gguf_nan_epsilon", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: parameter 'eps' is nan "
            r"\(meta\(\"llama\.attention\.layer_norm_rms_epsilon\"\)\)$",
            {"m.gguf": lambda: tiny_gguf_variant(eps=float("nan")), "m.yaml": lambda: tiny_yaml(weights="m.gguf")}),
        Row("compile_fails_while_packing", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*q1_0_weight\.gguf:offset \d+: error: cannot dequantize tensor 'blk\.1\.ffn_down\.weight' of type q1_0",
            {"m.yaml": lambda: tiny_yaml(weights=os.path.join(kit.SHARED, "q1_0_weight.gguf"))}),

    ]
