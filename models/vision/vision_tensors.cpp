#include "models/vision/vision_tensors.h"

#include "support/error.h"
#include "support/untrusted_text.h"

namespace lmc::models {

namespace {

void add_norm(std::vector<VisionTensor>& out, const std::string& prefix, int64_t width) {
  out.push_back({prefix + ".weight", {width}});
  out.push_back({prefix + ".bias", {width}});
}

void add_linear(std::vector<VisionTensor>& out, const std::string& prefix, int64_t rows, int64_t cols) {
  out.push_back({prefix + ".weight", {rows, cols}, true});
  out.push_back({prefix + ".bias", {rows}});
}

// The pre-norm ViT blocks SigLIP and CLIP share.
void add_blocks(std::vector<VisionTensor>& out, const VisionHParams& hp) {
  const int64_t e = hp.embedding_length, f = hp.feed_forward_length;
  for (int64_t i = 0; i < hp.block_count; ++i) {
    const std::string blk = "v.blk." + std::to_string(i) + ".";
    add_norm(out, blk + "ln1", e);
    for (const char* proj : {"attn_q", "attn_k", "attn_v", "attn_out"}) add_linear(out, blk + proj, e, e);
    add_norm(out, blk + "ln2", e);
    add_linear(out, blk + "ffn_up", f, e);
    add_linear(out, blk + "ffn_down", e, f);
  }
}

std::vector<VisionTensor> gemma3_tensors(const VisionHParams& hp) {
  const int64_t e = hp.embedding_length;
  std::vector<VisionTensor> out = {{"v.patch_embd.weight", {e, 3, hp.patch_size, hp.patch_size}},
                                   {"v.patch_embd.bias", {e}},
                                   {"v.position_embd.weight", {hp.patches(), e}}};
  add_blocks(out, hp);
  add_norm(out, "v.post_ln", e);
  out.push_back({"mm.soft_emb_norm.weight", {e}});
  out.push_back({"mm.input_projection.weight", {e, hp.projection_dim}});
  return out;
}

std::vector<VisionTensor> mlp_tensors(const VisionHParams& hp) {
  const int64_t e = hp.embedding_length, d = hp.projection_dim;
  std::vector<VisionTensor> out = {{"v.class_embd", {e}},
                                   {"v.patch_embd.weight", {e, 3, hp.patch_size, hp.patch_size}},
                                   {"v.position_embd.weight", {hp.patches() + 1, e}}};
  add_norm(out, "v.pre_ln", e);
  add_blocks(out, hp);
  add_linear(out, "mm.0", d, e);
  add_linear(out, "mm.2", d, d);
  return out;
}

constexpr ProjectorLayout kProjectors[] = {
    {"gemma3", true, "mm.input_projection.weight", 1, gemma3_tensors},
    {"mlp", false, "mm.2.weight", 0, mlp_tensors},
};

}  // namespace

const ProjectorLayout& projector_layout(const std::string& projector, const std::string& path) {
  for (const ProjectorLayout& p : kProjectors)
    if (projector == p.name) return p;
  throw error_at(path, "projector type '" + excerpt(projector, 40) + "' is not one lmc reads (gemma3 and mlp are)");
}

std::vector<VisionTensor> vision_tensors(const VisionHParams& hp, const std::string& path) {
  return projector_layout(hp.projector, path).tensors(hp);
}

}  // namespace lmc::models
