// A two-layer transformer in the IR's text form, for the tests of what the layer finder
// and the pictures make of a model: an embedding and a scale before the layers, two
// attention layers named blk.0 and blk.1, the output norm and the logits after them.
#pragma once

namespace lmc::ir {

inline constexpr const char* kTwoLayers =
    "graph @two(%tokens: i32[T], %positions: i32[T], %seq: i32[T], %kc0: f32[64,16], %vc0: f32[64,16], %kc1: "
    "f32[64,16], %vc1: f32[64,16]) {\n"
    "  %emb = param {name = \"token_embd.weight\"} : f32[100,32]\n"
    "  %x = embedding %emb, %tokens : f32[T,32]\n"
    "  %xs = scale %x {factor = 2.0} : f32[T,32]\n"
    "  %wn0 = param {name = \"blk.0.attn_norm.weight\"} : f32[32]\n"
    "  %a0 = rms_norm %xs, %wn0 {eps = 1e-06} : f32[T,32]\n"
    "  %wq0 = param {name = \"blk.0.attn_q.weight\"} : f32[32,32]\n"
    "  %q0 = linear %a0, %wq0 : f32[T,32]\n"
    "  %wk0 = param {name = \"blk.0.attn_k.weight\"} : f32[16,32]\n"
    "  %k0 = linear %a0, %wk0 : f32[T,16]\n"
    "  %wv0 = param {name = \"blk.0.attn_v.weight\"} : f32[16,32]\n"
    "  %v0 = linear %a0, %wv0 : f32[T,16]\n"
    "  %qr0 = rope %q0, %positions {base = 10000.0, head_dim = 16, style = \"neox\"} : f32[T,32]\n"
    "  %kr0 = rope %k0, %positions {base = 10000.0, head_dim = 16, style = \"neox\"} : f32[T,16]\n"
    "  %kc0.1 = kv_write %kc0, %kr0, %positions, %seq : f32[64,16]\n"
    "  %vc0.1 = kv_write %vc0, %v0, %positions, %seq : f32[64,16]\n"
    "  %o0 = attention %qr0, %kc0.1, %vc0.1, %positions, %seq {head_dim = 16, n_heads = 2, n_kv_heads = 1, scale = "
    "0.25} : f32[T,32]\n"
    "  %wo0 = param {name = \"blk.0.attn_output.weight\"} : f32[32,32]\n"
    "  %ho0 = linear %o0, %wo0 : f32[T,32]\n"
    "  %h0 = add %xs, %ho0 : f32[T,32]\n"
    "  %wn1 = param {name = \"blk.1.attn_norm.weight\"} : f32[32]\n"
    "  %a1 = rms_norm %h0, %wn1 {eps = 1e-06} : f32[T,32]\n"
    "  %wq1 = param {name = \"blk.1.attn_q.weight\"} : f32[32,32]\n"
    "  %q1 = linear %a1, %wq1 : f32[T,32]\n"
    "  %wk1 = param {name = \"blk.1.attn_k.weight\"} : f32[16,32]\n"
    "  %k1 = linear %a1, %wk1 : f32[T,16]\n"
    "  %wv1 = param {name = \"blk.1.attn_v.weight\"} : f32[16,32]\n"
    "  %v1 = linear %a1, %wv1 : f32[T,16]\n"
    "  %qr1 = rope %q1, %positions {base = 10000.0, head_dim = 16, style = \"neox\"} : f32[T,32]\n"
    "  %kr1 = rope %k1, %positions {base = 10000.0, head_dim = 16, style = \"neox\"} : f32[T,16]\n"
    "  %kc1.1 = kv_write %kc1, %kr1, %positions, %seq : f32[64,16]\n"
    "  %vc1.1 = kv_write %vc1, %v1, %positions, %seq : f32[64,16]\n"
    "  %o1 = attention %qr1, %kc1.1, %vc1.1, %positions, %seq {head_dim = 16, n_heads = 2, n_kv_heads = 1, scale = "
    "0.25} : f32[T,32]\n"
    "  %wo1 = param {name = \"blk.1.attn_output.weight\"} : f32[32,32]\n"
    "  %ho1 = linear %o1, %wo1 : f32[T,32]\n"
    "  %h1 = add %h0, %ho1 : f32[T,32]\n"
    "  %hl = tail_rows %h1 : f32[L,32]\n"
    "  %onw = param {name = \"output_norm.weight\"} : f32[32]\n"
    "  %on = rms_norm %hl, %onw {eps = 1e-06} : f32[L,32]\n"
    "  %logits = linear %on, %emb : f32[L,100]\n"
    "  return %logits, %kc0.1, %vc0.1, %kc1.1, %vc1.1\n"
    "}\n";

}  // namespace lmc::ir
