// Model definitions, as `lmc compile` reads them: the YAML reader, statement and
// expression parsing, and — for a definition that reads — the generic lowering to IR
// against a tiny GGUF whose metadata and tensor names satisfy the llama, Gemma 3 and
// GPT-2 definitions in models/, so the corpus seeds lower all the way.
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "models/lowering.h"
#include "models/model_def.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/models/gguf_writer.h"

namespace {

using lmc::test::GgufWriter;

constexpr uint64_t kD = 8, kKv = 4, kFfn = 16, kVocab = 16, kPositions = 32, kLayers = 2;
constexpr uint32_t kF32 = 0, kAlign = 32;

struct Tensor {
  std::string name;
  std::vector<uint64_t> shape;  // outermost first
};

std::vector<Tensor> tensors() {
  std::vector<Tensor> t = {
      {"token_embd.weight", {kVocab, kD}}, {"output_norm.weight", {kD}}, {"wte.weight", {kVocab, kD}},
      {"wpe.weight", {kPositions, kD}},    {"ln_f.weight", {kD}},        {"ln_f.bias", {kD}}};
  for (uint64_t i = 0; i < kLayers; ++i) {
    auto blk = [&](const std::string& n, std::vector<uint64_t> s) {
      t.push_back({"blk." + std::to_string(i) + "." + n + ".weight", std::move(s)});
    };
    auto h = [&](const std::string& n, std::vector<uint64_t> s) {
      t.push_back({"h." + std::to_string(i) + "." + n, std::move(s)});
    };
    for (const char* norm : {"attn_norm", "ffn_norm", "post_attention_norm", "post_ffw_norm"}) blk(norm, {kD});
    blk("attn_q_norm", {kKv});
    blk("attn_k_norm", {kKv});
    blk("attn_q", {kD, kD});
    blk("attn_k", {kKv, kD});
    blk("attn_v", {kKv, kD});
    blk("attn_output", {kD, kD});
    blk("ffn_gate", {kFfn, kD});
    blk("ffn_up", {kFfn, kD});
    blk("ffn_down", {kD, kFfn});
    for (const char* ln : {"ln_1", "ln_2"}) {
      h(std::string(ln) + ".weight", {kD});
      h(std::string(ln) + ".bias", {kD});
    }
    h("attn.c_attn.weight", {kD, 3 * kD});
    h("attn.c_attn.bias", {3 * kD});
    h("attn.c_proj.weight", {kD, kD});
    h("attn.c_proj.bias", {kD});
    h("mlp.c_fc.weight", {kD, kFfn});
    h("mlp.c_fc.bias", {kFfn});
    h("mlp.c_proj.weight", {kFfn, kD});
    h("mlp.c_proj.bias", {kD});
  }
  return t;
}

// Returns the number of keys written.
uint64_t put_metadata(GgufWriter& w) {
  const std::pair<const char*, uint32_t> ints[] = {{"llama.embedding_length", kD},
                                                   {"llama.block_count", kLayers},
                                                   {"llama.attention.head_count", 2},
                                                   {"llama.attention.head_count_kv", 1},
                                                   {"llama.feed_forward_length", kFfn},
                                                   {"gemma3.embedding_length", kD},
                                                   {"gemma3.block_count", kLayers},
                                                   {"gemma3.attention.head_count", 2},
                                                   {"gemma3.attention.head_count_kv", 1},
                                                   {"gemma3.attention.key_length", kKv},
                                                   {"gemma3.feed_forward_length", kFfn},
                                                   {"gemma3.attention.sliding_window", 4},
                                                   {"n_embd", kD},
                                                   {"n_layer", kLayers},
                                                   {"n_head", 2},
                                                   {"n_positions", kPositions}};
  for (const auto& [k, v] : ints) w.key(k, lmc::test::kU32).u32(v);
  const std::pair<const char*, float> floats[] = {{"llama.attention.layer_norm_rms_epsilon", 1e-5f},
                                                  {"gemma3.attention.layer_norm_rms_epsilon", 1e-5f},
                                                  {"layer_norm_epsilon", 1e-5f},
                                                  {"llama.rope.freq_base", 1e4f},
                                                  {"gemma3.rope.freq_base", 1e4f}};
  for (const auto& [k, v] : floats) w.key(k, lmc::test::kF32).put(v);
  return std::size(ints) + std::size(floats);
}

// The GGUF every input is lowered against, written once per process.
std::string tiny_weights() {
  const auto ts = tensors();
  GgufWriter body;
  const uint64_t n_kv = put_metadata(body);
  uint64_t offset = 0;
  for (const auto& t : ts) {
    body.tensor_info(t.name, std::vector<uint64_t>(t.shape.rbegin(), t.shape.rend()), kF32, offset);
    uint64_t n = 1;
    for (uint64_t d : t.shape) n *= d;
    offset += (n * 4 + kAlign - 1) / kAlign * kAlign;
  }
  GgufWriter w;
  w.header(ts.size(), n_kv);
  w.bytes.insert(w.bytes.end(), body.bytes.begin(), body.bytes.end());
  w.pad_to(kAlign);
  w.bytes.resize(w.bytes.size() + offset, 0);
  return lmc::fuzz::write_input("tiny.gguf", {reinterpret_cast<const char*>(w.bytes.data()), w.bytes.size()});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string weights = tiny_weights();
  try {
    auto path = lmc::fuzz::write_input("model.yaml", lmc::fuzz::as_text(data, size));
    lmc::models::read_model_def(path);
    lmc::models::LowerOptions opts;
    opts.weights = weights;
    lmc::models::lower_model(path, opts);
  } catch (const lmc::Error&) {
  }
  return 0;
}
