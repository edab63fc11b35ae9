// A Hugging Face folder read under GGUF names (models/hf_names.h): each tensor as llama.cpp's
// converter would write it — renamed; Llama's q and k rows in RoPE's adjacent pairs, Gemma's
// norms as 1 + w, experts stacked, Phi-3's factor lists as tensors — and config.json's
// hyper-parameters under the GGUF keys, while the HF spellings still answer.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "expect_error.h"
#include "models/hf_names.h"
#include "models/weight_source.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// A folder of one F32 model.safetensors holding `tensors` and `config` as config.json.
std::string make_folder(const test::TempDir& dir, const std::vector<Tensor>& tensors, const std::string& config) {
  std::string header = "{";
  size_t offset = 0;
  for (const auto& t : tensors) {
    std::string shape;
    for (auto d : t.shape) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    const size_t bytes = t.values.size() * 4;
    header += (header.size() > 1 ? "," : "") +
              ("\"" + t.name + "\":{\"dtype\":\"F32\",\"shape\":[" + shape + "],\"data_offsets\":[" +
               std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}");
    offset += bytes;
  }
  header += "}";
  std::vector<uint8_t> file(8 + header.size());
  const uint64_t n = header.size();
  std::memcpy(file.data(), &n, 8);
  std::memcpy(file.data() + 8, header.data(), header.size());
  for (const auto& t : tensors) {
    const auto* p = reinterpret_cast<const uint8_t*>(t.values.data());
    file.insert(file.end(), p, p + t.values.size() * 4);
  }
  test::write_bytes(dir.file("model.safetensors"), file);
  test::write_bytes(dir.file("config.json"), std::vector<uint8_t>(config.begin(), config.end()));
  return dir.path().string();
}

std::vector<float> iota(size_t n, float from = 0) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), from);
  return v;
}

TEST(HfNames, LlamaQAndKRowsTakeRopesAdjacentPairs) {
  test::TempDir dir;
  // Two query heads of 4 rows and one key head, 2 columns: row r holds r*2, r*2+1.
  const std::string folder = make_folder(dir,
                                         {{"model.layers.0.self_attn.q_proj.weight", {8, 2}, iota(16)},
                                          {"model.layers.0.self_attn.k_proj.weight", {4, 2}, iota(8, 100)},
                                          {"model.layers.0.self_attn.v_proj.weight", {4, 2}, iota(8)}},
                                         R"({"model_type": "llama", "hidden_size": 2, "num_hidden_layers": 1,
                                             "num_attention_heads": 2, "num_key_value_heads": 1})");
  const auto w = WeightSource::open(folder);
  // Per head, rows (0, 2, 1, 3): the halves' j-th rows side by side.
  EXPECT_EQ(w->materialize("blk.0.attn_q.weight", ir::DType::f32).size(), 16u * 4);
  std::vector<float> q(16);
  std::memcpy(q.data(), w->materialize("blk.0.attn_q.weight", ir::DType::f32).data(), 64);
  EXPECT_EQ(q, (std::vector<float>{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}));
  std::vector<float> k(8);
  std::memcpy(k.data(), w->materialize("blk.0.attn_k.weight", ir::DType::f32).data(), 32);
  EXPECT_EQ(k, (std::vector<float>{100, 101, 104, 105, 102, 103, 106, 107}));
  std::vector<float> v(8);
  std::memcpy(v.data(), w->materialize("blk.0.attn_v.weight", ir::DType::f32).data(), 32);
  EXPECT_EQ(v, iota(8)) << "values keep HF's order";
  std::memcpy(q.data(), w->materialize("model.layers.0.self_attn.q_proj.weight", ir::DType::f32).data(), 64);
  EXPECT_EQ(q, iota(16)) << "the HF name reads the tensor as stored";

  EXPECT_EQ(w->meta("llama.attention.head_count"), ExprValue(2.0));
  EXPECT_EQ(w->meta("llama.attention.head_count_kv"), ExprValue(1.0));
  EXPECT_EQ(w->meta("general.architecture"), ExprValue(std::string("llama")));
  EXPECT_EQ(w->meta("num_attention_heads"), ExprValue(2.0));
  EXPECT_FALSE(w->has_meta("llama.context_length"));
}

TEST(HfNames, GemmaNormsAreOnePlusW) {
  test::TempDir dir;
  const std::string folder = make_folder(dir,
                                         {{"model.norm.weight", {2}, {0.5f, -1.0f}},
                                          {"model.layers.0.post_attention_layernorm.weight", {2}, {0, 2}},
                                          {"model.layers.0.pre_feedforward_layernorm.weight", {2}, {1, 1}}},
                                         R"({"model_type": "gemma2", "query_pre_attn_scalar": 256})");
  const auto w = WeightSource::open(folder);
  std::vector<float> out(2);
  std::memcpy(out.data(), w->materialize("output_norm.weight", ir::DType::f32).data(), 8);
  EXPECT_EQ(out, (std::vector<float>{1.5f, 0.0f}));
  std::memcpy(out.data(), w->materialize("blk.0.post_attention_norm.weight", ir::DType::f32).data(), 8);
  EXPECT_EQ(out, (std::vector<float>{1, 3})) << "Gemma's post_attention_layernorm follows attention";
  EXPECT_TRUE(w->has_tensor("blk.0.ffn_norm.weight"));
  EXPECT_EQ(w->meta("query_pre_attn_scalar"), ExprValue(256.0));
}

TEST(HfNames, ExpertsStackAndTheSharedGateLosesItsLeadingOne) {
  test::TempDir dir;
  std::vector<Tensor> t = {{"model.layers.0.mlp.shared_expert_gate.weight", {1, 2}, {7, 8}}};
  for (int e = 0; e < 3; ++e)
    t.push_back({"model.layers.0.mlp.experts." + std::to_string(e) + ".up_proj.weight", {1, 2}, iota(2, 10.0f * e)});
  const auto w = WeightSource::open(make_folder(dir, t, R"({"model_type": "qwen2_moe", "num_experts": 3})"));
  EXPECT_EQ(w->shape("blk.0.ffn_up_exps.weight"), (std::vector<int64_t>{3, 1, 2}));
  std::vector<float> up(6);
  std::memcpy(up.data(), w->materialize("blk.0.ffn_up_exps.weight", ir::DType::f32).data(), 24);
  EXPECT_EQ(up, (std::vector<float>{0, 1, 10, 11, 20, 21}));
  EXPECT_EQ(w->shape("blk.0.ffn_gate_inp_shexp.weight"), (std::vector<int64_t>{2}));
  EXPECT_EQ(w->meta("qwen2moe.expert_count"), ExprValue(3.0));
}

TEST(HfNames, AMissingExpertIsNamedAndAHugeNumberSizesNothing) {
  test::TempDir dir;
  const std::string folder = make_folder(dir,
                                         {{"model.layers.0.block_sparse_moe.experts.0.w1.weight", {1, 2}, {1, 2}},
                                          {"model.layers.0.block_sparse_moe.experts.2.w1.weight", {1, 2}, {1, 2}}},
                                         R"({"model_type": "mixtral"})");
  test::expect_error([&] { WeightSource::open(folder); }, {"expert 1 of 'blk.0.ffn_gate_exps.weight' is missing"});
  test::TempDir far;
  const std::string hostile =
      make_folder(far, {{"model.layers.0.block_sparse_moe.experts.999999999.w1.weight", {1, 2}, {1, 2}}},
                  R"({"model_type": "mixtral"})");
  test::expect_error([&] { WeightSource::open(hostile); }, {"expert 0 of 'blk.0.ffn_gate_exps.weight' is missing"});
}

TEST(HfNames, RopeSettingsAndFactorListsUnderGgufNames) {
  test::TempDir dir;
  const std::string folder =
      make_folder(dir, {{"model.embed_tokens.weight", {2, 2}, iota(4)}},
                  R"({"model_type": "phi3", "hidden_size": 8, "num_attention_heads": 2, "partial_rotary_factor": 0.75,
          "original_max_position_embeddings": 4096,
          "rope_scaling": {"type": "su", "long_factor": [1, 2], "short_factor": [3, 4]}})");
  const auto w = WeightSource::open(folder);
  EXPECT_EQ(w->meta("phi3.rope.scaling.type"), ExprValue(std::string("longrope")));
  EXPECT_EQ(w->meta("phi3.rope.dimension_count"), ExprValue(3.0));
  EXPECT_EQ(w->meta("phi3.rope.scaling.original_context_length"), ExprValue(4096.0));
  EXPECT_EQ(w->shape("rope_factors_short.weight"), (std::vector<int64_t>{2}));
  std::vector<float> f(2);
  std::memcpy(f.data(), w->materialize("rope_factors_long.weight", ir::DType::f32).data(), 8);
  EXPECT_EQ(f, (std::vector<float>{1, 2}));
  EXPECT_TRUE(w->has_tensor("token_embd.weight"));
}

TEST(HfNames, ADefaultRopeIsNoneAndAnUnknownFamilyKeepsItsNames) {
  test::TempDir a, b;
  const auto qwen = WeightSource::open(make_folder(
      a, {{"model.norm.weight", {2}, {1, 2}}}, R"({"model_type": "qwen2", "rope_scaling": {"rope_type": "default"}})"));
  EXPECT_FALSE(qwen->has_meta("qwen2.rope.scaling.type"));
  EXPECT_TRUE(qwen->has_meta("rope_scaling"));
  const auto gpt2 =
      WeightSource::open(make_folder(b, {{"model.norm.weight", {2}, {1, 2}}}, R"({"model_type": "gpt2"})"));
  EXPECT_FALSE(gpt2->has_tensor("output_norm.weight"));
  EXPECT_TRUE(gpt2->has_tensor("model.norm.weight"));
}

TEST(HfNames, ConfigValuesOfTheWrongKindAreRefusedNotTrusted) {
  test::TempDir dir;
  const std::string folder =
      make_folder(dir, {{"model.layers.0.self_attn.q_proj.weight", {4, 2}, iota(8)}},
                  R"({"model_type": "llama", "num_attention_heads": 1e30, "partial_rotary_factor": 0.5,
                      "head_dim": "wide", "hidden_size": "x"})");
  const auto w = WeightSource::open(folder);
  test::expect_error([&] { w->materialize("blk.0.attn_q.weight", ir::DType::f32); },
                     {"q_proj.weight", "cannot reorder 4 rows as 0 heads"});
  EXPECT_FALSE(w->has_meta("llama.rope.dimension_count"));
}

TEST(HfNames, RopePairsRefusesRowsThatAreNoWholeHeads) {
  test::expect_error([&] { rope_pairs(iota(6), 6, 1, 4); }, {"cannot reorder 6 rows as 4 heads"});
  test::expect_error([&] { rope_pairs(iota(6), 6, 1, 2); }, {"cannot reorder 6 rows as 2 heads"});
}

}  // namespace
}  // namespace lmc::models
