"""The config.json of each random checkpoint make_random_checkpoint.py writes: a real model's
shapes (GPT-2 124M, Gemma 3 1B, Gemma 2 2B, Qwen2.5 0.5B, Qwen3 0.6B, Qwen3-30B-A3B,
Qwen1.5-MoE-A2.7B, OLMoE-1B-7B, Mistral 7B, Mixtral 8x7B, Llama 3.2 1B, Phi-3 mini,
Phi-4-mini), with fewer layers and a smaller vocabulary where they decide nothing new.

Gemma 3 1B keeps its shapes but gets a sliding window of 16 instead of 512, so the test's
few dozen positions cross the window on the five local layers of every six, and the linear
RoPE scaling of Gemma 3 4B and larger (factor 8 on the global layers); Mistral and
Phi-3 (windows of 4096 and 2047 on every layer) get 16 too, and so do Gemma 2's even layers.
Gemma 2 keeps its real final logit soft-cap (30: the logit of a token's own embedding row
reaches ~90 on random weights, so it binds hard) but gets an attention soft-cap of 5 instead
of 50, which random scores of a few units would barely reach: without either cap the
test's logits move by far more than its tolerance (0.39 and 61 at most). The Llama-like families keep
every matrix at its real shape but have 1 (Mistral 7B, Phi-3 mini: ~0.5 GB of BF16 each)
or 2 (Qwen) layers instead of 24-32, which keeps the end-to-end tests within CI's budget:
the layers are identical in kind, so more of them checks nothing new. Qwen3-30B-A3B has 1
of its 48 layers, each expert in HF's own matrices (~1.2 GB of BF16 for its 128 experts),
Qwen1.5-MoE-A2.7B 1 of its 24 (~1.0 GB for its 60 and ~0.07 GB for its shared expert),
OLMoE-1B-7B 1 of its 16 (~0.8 GB for its 64), and Mixtral 8x7B 1 of its 32 (~2.8 GB for its 8,
~3.4 GB in all with Mistral's embedding and head), which has no sliding window.
"""

GPT2 = dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], n_embd=768, n_layer=12, n_head=12,
            n_positions=1024, n_ctx=1024, vocab_size=50257, layer_norm_epsilon=1e-5,
            activation_function="gelu_new", bos_token_id=50256, eos_token_id=50256,
            tie_word_embeddings=True)

# The vocabulary of the Gemma and Qwen checkpoints: 32768 rows instead of their 150-262k. Every
# layer keeps its real shapes; the embedding and the output head keep the hidden size and
# their kernels, only with fewer rows, which decide nothing a real file does not: Gemma 3
# 270M's real 262144-row head runs in the same suite. The real rows were 60-80% of these
# checkpoints' weights and most of the end-to-end suite's time.
SMALL_VOCAB = 32768
# Qwen's regular tokens; its specials follow, and the embedding has 293 rows more (151643 of
# 151936 in the real models).
QWEN_BASE_VOCAB = SMALL_VOCAB - 293

GEMMA3_1B = dict(model_type="gemma3_text", architectures=["Gemma3ForCausalLM"], hidden_size=1152,
                 num_hidden_layers=26, num_attention_heads=4, num_key_value_heads=1, head_dim=256,
                 intermediate_size=6912, rms_norm_eps=1e-6, sliding_window=16, sliding_window_pattern=6,
                 rope_theta=1000000.0, rope_local_base_freq=10000.0,
                 # Gemma 3 4B's and larger's: the global layers' positions divided by 8.
                 rope_scaling={"rope_type": "linear", "factor": 8.0},
                 query_pre_attn_scalar=256, max_position_embeddings=32768, vocab_size=SMALL_VOCAB,
                 hidden_activation="gelu_pytorch_tanh", attn_logit_softcapping=None,
                 final_logit_softcapping=None, bos_token_id=2, eos_token_id=1, pad_token_id=0,
                 tie_word_embeddings=True, torch_dtype="bfloat16")

# Gemma 2 2B, its attention soft-cap 5 instead of 50 (see the module doc).
GEMMA2_2B = dict(model_type="gemma2", architectures=["Gemma2ForCausalLM"], hidden_size=2304,
                 num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                 intermediate_size=9216, rms_norm_eps=1e-6, sliding_window=16, rope_theta=10000.0,
                 query_pre_attn_scalar=256, max_position_embeddings=8192, vocab_size=SMALL_VOCAB,
                 hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh",
                 attn_logit_softcapping=5.0, final_logit_softcapping=30.0,
                 attention_bias=False, cache_implementation="hybrid", bos_token_id=2, eos_token_id=1,
                 pad_token_id=0, tie_word_embeddings=True, torch_dtype="bfloat16")


QWEN2_5_0_5B = dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=896,
                    num_hidden_layers=2, num_attention_heads=14, num_key_value_heads=2, intermediate_size=4864,
                    rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False,
                    # Qwen2.5's long-context setting (its model cards: YaRN, factor 4).
                    rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
                    sliding_window=32768, max_window_layers=21, max_position_embeddings=32768,
                    vocab_size=SMALL_VOCAB, hidden_act="silu", bos_token_id=QWEN_BASE_VOCAB,
                    eos_token_id=QWEN_BASE_VOCAB + 2,
                    tie_word_embeddings=True, torch_dtype="bfloat16")

QWEN3_0_6B = dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=1024,
                  num_hidden_layers=2, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                  intermediate_size=3072, rms_norm_eps=1e-6, rope_theta=1000000.0, rope_scaling=None,
                  attention_bias=False, use_sliding_window=False, sliding_window=None, max_window_layers=28,
                  max_position_embeddings=40960, vocab_size=SMALL_VOCAB, hidden_act="silu",
                  bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2, tie_word_embeddings=True,
                  torch_dtype="bfloat16")

# Qwen3-30B-A3B: Qwen 3's attention, and in place of the MLP 128 experts of which each token
# takes the 8 its router scores highest, their weights renormalized to sum 1 (norm_topk_prob).
QWEN3_30B_A3B = dict(model_type="qwen3_moe", architectures=["Qwen3MoeForCausalLM"], hidden_size=2048,
                     num_hidden_layers=1, num_attention_heads=32, num_key_value_heads=4, head_dim=128,
                     intermediate_size=6144, moe_intermediate_size=768, num_experts=128, num_experts_per_tok=8,
                     norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[], rms_norm_eps=1e-6,
                     rope_theta=1000000.0, rope_scaling=None, attention_bias=False, use_sliding_window=False,
                     sliding_window=None, max_window_layers=48, max_position_embeddings=40960,
                     vocab_size=SMALL_VOCAB, hidden_act="silu", output_router_logits=False,
                     router_aux_loss_coef=0.001, bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2,
                     tie_word_embeddings=False, torch_dtype="bfloat16")

# Qwen1.5-MoE-A2.7B (model_type qwen2_moe, also Qwen2-57B-A14B's): Qwen 2's attention (q/k/v
# biases, no q/k norm), and in place of the MLP 60 experts of moe_intermediate_size of which
# each token takes the 4 its router scores highest, their probabilities kept as they are
# (norm_topk_prob False), plus one shared expert every token takes, a gated MLP of
# shared_expert_intermediate_size scaled per token by sigmoid(shared_expert_gate(h)). Its
# sliding-window keys as Qwen2.5's (off: use_sliding_window False). transformers' default
# decoder_sparse_step and mlp_only_layers, spelt out: every layer sparse.
QWEN1_5_MOE_A2_7B = dict(model_type="qwen2_moe", architectures=["Qwen2MoeForCausalLM"], hidden_size=2048,
                         num_hidden_layers=1, num_attention_heads=16, num_key_value_heads=16,
                         intermediate_size=5632, moe_intermediate_size=1408, shared_expert_intermediate_size=5632,
                         num_experts=60, num_experts_per_tok=4, norm_topk_prob=False, decoder_sparse_step=1,
                         mlp_only_layers=[], rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False,
                         sliding_window=32768, max_window_layers=21, max_position_embeddings=8192,
                         vocab_size=SMALL_VOCAB, hidden_act="silu", output_router_logits=False,
                         router_aux_loss_coef=0.001, bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2,
                         tie_word_embeddings=False, torch_dtype="bfloat16")

# OLMoE-1B-7B: Llama's attention with an RMSNorm over the whole of q and of k (q_norm and k_norm
# as wide as all heads, not one head), and 64 experts of intermediate_size in place of the MLP,
# of which each token takes 8, their router probabilities kept as they are (norm_topk_prob
# False). Qwen's tokenizer in place of OLMoE's GPT-NeoX one, which decides nothing here.
OLMOE_1B_7B = dict(model_type="olmoe", architectures=["OlmoeForCausalLM"], hidden_size=2048, num_hidden_layers=1,
                   num_attention_heads=16, num_key_value_heads=16, intermediate_size=1024, num_experts=64,
                   num_experts_per_tok=8, norm_topk_prob=False, rms_norm_eps=1e-5, rope_theta=10000.0,
                   rope_scaling=None, attention_bias=False, clip_qkv=None, max_position_embeddings=4096,
                   vocab_size=SMALL_VOCAB, hidden_act="silu", output_router_logits=False,
                   router_aux_loss_coef=0.01, bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2,
                   pad_token_id=QWEN_BASE_VOCAB, tie_word_embeddings=False, torch_dtype="bfloat16")

MISTRAL_7B = dict(model_type="mistral", architectures=["MistralForCausalLM"], hidden_size=4096,
                  num_hidden_layers=1, num_attention_heads=32, num_key_value_heads=8, intermediate_size=14336,
                  rms_norm_eps=1e-5, rope_theta=10000.0, sliding_window=16, max_position_embeddings=32768,
                  vocab_size=32000, hidden_act="silu", bos_token_id=1, eos_token_id=2,
                  tie_word_embeddings=False, torch_dtype="bfloat16")

# Mixtral 8x7B: Mistral 7B's attention without its sliding window, and in place of the MLP 8
# experts of intermediate_size (w1 the gate, w3 the up, w2 the down matrix) of which each token
# takes the 2 its router scores highest, their weights always renormalized to sum 1 (transformers'
# MixtralSparseMoeBlock has no norm_topk_prob to say otherwise). Its structure (8 experts, 2 per
# token, head_dim 128, 4 query heads per key head) at a quarter of its width: one layer at full
# width is 3.4 GB and the reference of its Q8_0 pipeline takes 16 GB of memory, too much beside
# the other tests; the expert path is Qwen3-MoE's and OLMoE's, which run at their real widths.
MIXTRAL_8X7B = dict(model_type="mixtral", architectures=["MixtralForCausalLM"], hidden_size=1024,
                    num_hidden_layers=1, num_attention_heads=8, num_key_value_heads=2, intermediate_size=3584,
                    num_local_experts=8, num_experts_per_tok=2, rms_norm_eps=1e-5, rope_theta=1000000.0,
                    sliding_window=None, max_position_embeddings=32768, vocab_size=32000, hidden_act="silu",
                    router_aux_loss_coef=0.02, output_router_logits=False, bos_token_id=1, eos_token_id=2,
                    tie_word_embeddings=False, torch_dtype="bfloat16")

# Llama 3.2 1B, 2 of its 16 layers, with its llama3 rope scaling.
LLAMA3_2_1B = dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=2048, num_hidden_layers=2,
                   num_attention_heads=32, num_key_value_heads=8, head_dim=64, intermediate_size=8192,
                   rms_norm_eps=1e-5, rope_theta=500000.0,
                   rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
                   max_position_embeddings=131072, vocab_size=SMALL_VOCAB, hidden_act="silu",
                   attention_bias=False, mlp_bias=False, bos_token_id=1, eos_token_id=2,
                   tie_word_embeddings=True, torch_dtype="bfloat16")

# A Llama 2 style fine-tune that stretches its context by dynamic NTK scaling (rope_scaling
# {"type": "dynamic", "factor"}), at Llama 3.2 1B's layer shapes (2 layers) with an original
# context of 16 positions (128 with the factor), so that the test's prompt and generated
# tokens run past it and each later row turns by its own grown base.
LLAMA_DYNAMIC = dict(LLAMA3_2_1B, rope_theta=10000.0, rope_scaling={"type": "dynamic", "factor": 8.0},
                     max_position_embeddings=16)

PHI3_MINI = dict(model_type="phi3", architectures=["Phi3ForCausalLM"], hidden_size=3072, num_hidden_layers=1,
                 num_attention_heads=32, num_key_value_heads=32, intermediate_size=8192, rms_norm_eps=1e-5,
                 rope_theta=10000.0, rope_scaling=None, sliding_window=16, max_position_embeddings=4096,
                 original_max_position_embeddings=4096, vocab_size=32064, hidden_act="silu", bos_token_id=1,
                 eos_token_id=32000, pad_token_id=32000, tie_word_embeddings=False, torch_dtype="bfloat16")

# Phi-4-mini's attention and feed-forward (24 heads of 128, 8 KV heads, RoPE on the first
# 96 features of a head: partial_rotary_factor 0.75) and its LongRoPE (128k positions grown
# from 4096: per-pair long and short divisors of the 48 turning pairs' frequencies, growing
# toward the slow pairs as Phi-4-mini's do), with Phi-3's vocabulary: its own 200k rows
# would add 1.2 GB to the test, and decide nothing about the rotary part.
PHI4_MINI = dict(PHI3_MINI, num_attention_heads=24, num_key_value_heads=8, head_dim=128,
                 partial_rotary_factor=0.75, max_position_embeddings=131072,
                 rope_scaling={"type": "longrope",
                               "long_factor": [round(1.0 + 60.0 * (i / 47) ** 3, 4) for i in range(48)],
                               "short_factor": [round(1.0 + 0.05 * i, 4) for i in range(48)]})
