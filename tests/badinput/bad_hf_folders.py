"""Bad-input rows (test_bad_inputs.py) of weights given directly, GGUF files and Hugging
Face folders, whose architecture picks the model definition (serves:): unknown
architectures, what a definition states it does not implement, configs it refuses.
"""
import os

from bad_input_kit import ERROR, USAGE, gguf, gguf_string_kv, gguf_u32_kv, Row, tiny_gguf_bytes, write_folder
import make_random_checkpoint  # noqa: E402 (on bad_input_kit's path)


def write_tiny_family(d, kind, **changes):
    """A one-layer checkpoint of a Llama-like family in d/hf at toy width, its config.json
    changed by `changes`."""
    config = dict(make_random_checkpoint.KINDS[kind][0], hidden_size=64, num_hidden_layers=1, num_attention_heads=4,
                  num_key_value_heads=2, intermediate_size=128, vocab_size=1024, max_position_embeddings=64)
    if "head_dim" in config:
        config["head_dim"] = 16
    config.update(changes)
    make_random_checkpoint.write_checkpoint(os.path.join(d, "hf"), kind, config, seed=1)


def rows():
    return [
        # Weights given directly: their architecture picks the model definition (serves:).
        Row("gguf_unknown_architecture", ["run", "{dir}/m.gguf", "--prompt", "hi"], ERROR,
            r"^\S*m\.gguf: error: no model definition serves gguf architecture 'mamba' \(general\.architecture\); "
            r"known: gemma2, gemma3, llama, llama\+experts, olmoe, phi3, qwen2, qwen2moe, qwen3, qwen3moe in \S+; add a definition with serves: \{gguf: mamba\} "
            r"\(docs/model-definitions\.md, \"Adding an architecture\"\) or pass --model-def FILE\.yaml$",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "mamba"), n_kv=1)}),
        Row("gguf_unknown_architecture_compile", ["compile", "{dir}/m.gguf", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.gguf: error: no model definition serves gguf architecture 'mamba'",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "mamba"), n_kv=1)}),
        # Mixtral's GGUFs say llama, with experts: llama.yaml refuses them by name.
        # A llama GGUF with experts is Mixtral's (mixtral.yaml); llama.yaml named for it refuses.
        Row("gguf_llama_with_experts", ["run", "{dir}/m.gguf", "--model-def", "{root}/models/llama.yaml",
                                        "--prompt", "hi"], ERROR,
            r"^\S*models/llama\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*m\.gguf: "
            r"mixture of experts \(llama\.expert_count\) is not implemented by llama\.yaml$",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "llama")
                                    + gguf_u32_kv("llama.expert_count", 8), n_kv=2)}),
        # Given alone it is Mixtral's, whose definition needs the file's hyperparameters.
        Row("gguf_mixtral_without_hyperparameters", ["run", "{dir}/m.gguf", "--prompt", "hi"], ERROR,
            r"^\S*models/mixtral\.yaml:\d+:\d+: error: in expression 'meta\(.*\)': the weights file \S*m\.gguf has no "
            r"metadata 'llama\.embedding_length'$",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "llama")
                                    + gguf_u32_kv("llama.expert_count", 8), n_kv=2)}),
        Row("gguf_no_architecture", ["run", "{dir}/m.gguf", "--prompt", "hi"], ERROR,
            r"^\S*m\.gguf: error: no general\.architecture metadata to choose a model definition by; "
            r"pass --model-def FILE\.yaml$", {"m.gguf": lambda: gguf()}),
        Row("hf_folder_without_model_type", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*hf/config\.json: error: no 'model_type' to choose a model definition by; "
            r"pass --model-def FILE\.yaml$",
            setup=lambda d: write_folder(d, {"config.json": b'{"n_embd": 16}'})),
        Row("hf_folder_without_config", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*hf: error: no config\.json: a Hugging Face model folder holds config\.json, \*\.safetensors and "
            r"tokenizer\.json$", setup=lambda d: write_folder(d, {"tokenizer.json": b"{}"})),
        # What a definition states it does not implement stops compile with its message.
        Row("hf_rope_scaling_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/qwen2\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"rope scaling 'dynamic' is not implemented by qwen2\.yaml$",
            setup=lambda d: write_tiny_family(d, "qwen2", rope_scaling={"type": "dynamic", "factor": 4.0})),
        Row("hf_phi3_rope_scaling_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/phi3\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"rope scaling 'dynamic' is not implemented by phi3\.yaml$",
            setup=lambda d: write_tiny_family(d, "phi3", rope_scaling={"type": "dynamic", "factor": 2.0})),
        # Gemma 3 takes linear scaling (4B and larger) on its global layers, nothing else.
        Row("hf_gemma3_rope_scaling_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/gemma3\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"rope scaling 'yarn' is not implemented by gemma3\.yaml$",
            setup=lambda d: write_tiny_family(d, "gemma3-1b", rope_scaling={"rope_type": "yarn", "factor": 8.0})),
        # A Qwen3-MoE whose listed layers are dense (mlp_only_layers): qwen3moe.yaml puts
        # experts in every layer, so it stops rather than read experts that are not there.
        Row("hf_qwen3moe_dense_layers_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/qwen3moe\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"dense layers among the experts' \(decoder_sparse_step, mlp_only_layers\) are not implemented by "
            r"qwen3moe\.yaml$",
            setup=lambda d: write_tiny_family(d, "qwen3moe", moe_intermediate_size=32, num_experts=4,
                                              num_experts_per_tok=2, mlp_only_layers=[0])),
        # Gemma 2's soft-caps: a null one is none in transformers, a missing one its default,
        # which changed between versions; gemma2.yaml takes neither.
        Row("hf_gemma2_null_softcap", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/gemma2\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"attn_logit_softcapping must be set \(not null\) in config\.json for gemma2\.yaml$",
            setup=lambda d: write_tiny_family(d, "gemma2-2b", attn_logit_softcapping=None)),
        # layer_types is read one layer at a time: a kind of layer it does not know stops it.
        Row("hf_gemma2_layer_type_unknown", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/gemma2\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"layer_types entries other than sliding_attention and full_attention are not implemented by "
            r"gemma2\.yaml$",
            setup=lambda d: write_tiny_family(d, "gemma2-2b", layer_types=["chunked_attention"])),
        # A config's null is an unset option: Mistral v0.2's "sliding_window": null attends to the whole past.
        Row("hf_null_option_is_unset", ["run", "{dir}/hf", "--prompt", "hi", "--max-tokens", "2"], 0,
            r"^lmc: hf: weights ", setup=lambda d: write_tiny_family(d, "mistral", sliding_window=None)),
        Row("weights_flag_on_weights", ["run", "{dir}/m.gguf", "--prompt", "hi", "--weights", "{dir}/m.gguf"], USAGE,
            r"^lmc run: --weights applies to a model definition \(\.yaml\); \S*m\.gguf is the weights",
            {"m.gguf": tiny_gguf_bytes}),
        Row("model_def_flag_on_a_yaml", ["run", "{tiny}/tiny.yaml", "--prompt", "hi",
                                          "--model-def", "{tiny}/tiny.yaml"], USAGE,
            r"^lmc run: --model-def applies to a \.gguf or a Hugging Face folder, not to \S*tiny\.yaml"),

    ]
