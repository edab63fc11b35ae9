// The default pipeline on the real models' graphs: the fusions fire once per layer (where
// the file stores siblings in different block types too, as a linear of weight parts) and
// every linear weight gets a quantization decision with its reason: the file's blocks kept
// by default, Q8_0 or F32 by the rule with --requantize=q8_0.
#include <gtest/gtest.h>

#include <filesystem>

#include "ir/op_registry.h"
#include "ir/verifier.h"
#include "lmc_test_paths.h"
#include "models/lowering.h"
#include "passes/pass_manager.h"

namespace {

struct PipelineRun {
  lmc::models::LoweredModel model;
  std::vector<lmc::passes::PassRecord> records;
  std::vector<lmc::passes::Remark> remarks;
  size_t linears_before = 0;
};

PipelineRun run_default(const std::string& yaml, const std::string& weights, const std::string& requantize) {
  std::string w = std::string(LMC_SOURCE_DIR) + "/models/weights/" + weights;
  if (!std::filesystem::exists(w)) return {};
  PipelineRun r;
  r.model = lmc::models::lower_model(std::string(LMC_SOURCE_DIR) + "/models/" + yaml);
  for (const auto& op : r.model.graph->ops()) r.linears_before += op->kind() == "linear";
  lmc::passes::PassManager pm({});
  pm.add_pipeline("default", {{"requantize", requantize}});
  lmc::passes::PassContext ctx;
  pm.run(*r.model.graph, ctx);
  r.records = pm.records();
  r.remarks = ctx.remarks;
  lmc::ir::verify(*r.model.graph);
  return r;
}

std::string stat_of(const PipelineRun& r, const std::string& pass) {
  for (const auto& rec : r.records)
    if (rec.name == pass && !rec.stats.empty()) return rec.stats.front();
  return "";
}

// Ops of `kind` the kernels run, inside fusion regions or not.
size_t count_ops(const lmc::ir::Graph& g, const std::string& kind) {
  size_t n = 0;
  for (const auto& op : g.ops())
    for (const lmc::ir::Op* inner : lmc::ir::ops_run_by(*op)) n += inner->kind() == kind;
  return n;
}

size_t count_fusions(const lmc::ir::Graph& g) {
  size_t n = 0;
  for (const auto& op : g.ops()) n += op->body() != nullptr;
  return n;
}

TEST(RealPipeline, Gemma3FusesEveryLayerAndExplainsEveryQuantization) {
  auto r = run_default("gemma3.yaml", "gemma-3-270m-q4_k_m.gguf", "q8_0");
  if (!r.model.graph) GTEST_SKIP() << "Gemma 3 270M weights not installed (scripts/setup.sh)";
  // The file stores 9 layers' v projection as q8_0 and q and k as q5_0: those fuse as a
  // linear of two weight parts (q and k stacked, v), each decided on its own.
  EXPECT_EQ(stat_of(r, "fuse-qkv"), "fused 18 QKV triples");
  EXPECT_EQ(stat_of(r, "fuse-gate-up"), "fused 18 gate+up pairs");
  EXPECT_EQ(stat_of(r, "fuse-down-act"), "fused 18 down projections with their activation");
  // Per layer: the norms before qkv and gate_up, and the output norm before the head.
  EXPECT_EQ(stat_of(r, "fuse-norm-linear"), "fused 37 norms into their projections");
  // Per layer: the q and k per-head norms with their rope.
  EXPECT_EQ(stat_of(r, "fuse-qk-rope"), "fused 36 norms with their rope");
  // Per layer: two post-norms with their residual adds.
  EXPECT_EQ(stat_of(r, "fuse-residual"), "fused 36 residual adds");
  // The embedding's scale, and the image rows' mask, its sign and the two adds (gemma3.yaml).
  EXPECT_EQ(stat_of(r, "fuse-elementwise"), "fused 5 elementwise ops into their producers");
  // 18 × (q, k, v, o, gate, up, down) + the output projection, before fusion.
  EXPECT_EQ(r.linears_before, 18u * 7 + 1);
  // After fusion: 18 × (qkv, o, gate_up, down) + output; each weight decided once, with its
  // reason: 9 qkv of one weight, 9 of two parts.
  size_t decisions = 0;
  for (const auto& rm : r.remarks)
    if (rm.pass == "quant-threshold") {
      ++decisions;
      EXPECT_NE(rm.message.find("max(in, out) = "), std::string::npos) << rm.message;
    }
  EXPECT_EQ(decisions, 9u * 4 + 9u * 5 + 1);
  EXPECT_EQ(stat_of(r, "quant-threshold"), "quantized 82 linears F32 -> Q8_0, kept 0 F32");
  EXPECT_EQ(count_ops(*r.model.graph, "linear"), 18u * 4 + 1);
  EXPECT_EQ(count_ops(*r.model.graph, "concat"), 0u);    // folded into packed params
  EXPECT_EQ(count_ops(*r.model.graph, "quantize"), 0u);
  // 18 × (qkv; q and k norm+rope; gate_up, down, two post-norm residuals) + embedding + head.
  EXPECT_EQ(count_fusions(*r.model.graph), 18u * 7 + 2);
}

// The file's precision: every linear keeps the blocks Gemma 3 270M's Q4_K_M file stores it
// in (q5_0, q4_k, q6_k), but those it stores as q8_0, which the rule decides (Q8_0 again:
// the same blocks): 9 layers' v projection and the head, tied to the embedding's table.
TEST(RealPipeline, Gemma3KeepsTheFilesBlocks) {
  auto r = run_default("gemma3.yaml", "gemma-3-270m-q4_k_m.gguf", "none");
  if (!r.model.graph) GTEST_SKIP() << "Gemma 3 270M weights not installed (scripts/setup.sh)";
  EXPECT_EQ(stat_of(r, "fuse-qkv"), "fused 18 QKV triples");
  EXPECT_EQ(stat_of(r, "fuse-gate-up"), "fused 18 gate+up pairs");
  size_t kept = 0, ruled = 0;
  for (const auto& rm : r.remarks) {
    if (rm.pass != "quant-threshold") continue;
    bool keeps = rm.message.find("keeps the file's") != std::string::npos;
    kept += keeps;
    ruled += !keeps;
    EXPECT_TRUE(keeps || rm.message.find("max(in, out) = ") != std::string::npos) << rm.message;
  }
  // 9 × (qkv, o, gate_up, down) + 9 × (q and k stacked, o, gate_up, down); 9 v and the head
  // by the rule.
  EXPECT_EQ(kept, 9u * 4 + 9u * 4);
  EXPECT_EQ(ruled, 9u + 1);
  EXPECT_EQ(stat_of(r, "quant-threshold"), "quantized 10 linears F32 -> Q8_0, kept 0 F32 and 72 in the file's blocks");
  EXPECT_EQ(count_ops(*r.model.graph, "quantize"), 0u);
}

TEST(RealPipeline, SmolLM2FusesAndQuantizesEveryLayer) {
  auto r = run_default("llama.yaml", "SmolLM2-135M-Instruct.Q4_1.gguf", "q8_0");
  if (!r.model.graph) GTEST_SKIP() << "SmolLM2 weights not installed (scripts/setup.sh)";
  EXPECT_EQ(stat_of(r, "fuse-qkv"), "fused 30 QKV triples");
  EXPECT_EQ(stat_of(r, "fuse-gate-up"), "fused 30 gate+up pairs");
  // d_model 576: qkv [960,576], o [576,576], gate_up [3072,576], down [576,1536], output [49152,576]
  // all have max(in, out) >= 576, so every linear is quantized.
  EXPECT_EQ(stat_of(r, "quant-threshold"), "quantized 121 linears F32 -> Q8_0, kept 0 F32");
  EXPECT_EQ(stat_of(r, "fuse-down-act"), "fused 30 down projections with their activation");
  EXPECT_EQ(stat_of(r, "fuse-norm-linear"), "fused 61 norms into their projections");
  // Per layer: o_proj + residual and down_proj + residual, in the projections' epilogues.
  EXPECT_EQ(stat_of(r, "fuse-residual"), "fused 60 residual adds");
  // By default the file's q4_1 blocks are kept, every linear's but the head's (tied to the
  // embedding's q8_0 table).
  auto kept = run_default("llama.yaml", "SmolLM2-135M-Instruct.Q4_1.gguf", "none");
  EXPECT_EQ(stat_of(kept, "fuse-qkv"), "fused 30 QKV triples");
  EXPECT_EQ(stat_of(kept, "quant-threshold"),
            "quantized 1 linears F32 -> Q8_0, kept 0 F32 and 120 in the file's blocks");
}

}  // namespace
