// Factories of the passes that ship with lmc, one per file in passes/.
#pragma once
#include <memory>

#include "passes/api/pass.h"

namespace lmc::passes {

std::unique_ptr<Pass> create_shard_pass();
std::unique_ptr<Pass> create_kv_cache_type_pass();
std::unique_ptr<Pass> create_fuse_qkv_pass();
std::unique_ptr<Pass> create_fuse_gate_up_pass();
std::unique_ptr<Pass> create_quant_threshold_pass();
std::unique_ptr<Pass> create_weight_panels_pass();
std::unique_ptr<Pass> create_fuse_down_act_pass();
std::unique_ptr<Pass> create_fuse_norm_linear_pass();
std::unique_ptr<Pass> create_fuse_residual_pass();
std::unique_ptr<Pass> create_fuse_qk_rope_pass();
std::unique_ptr<Pass> create_fuse_elementwise_pass();
std::unique_ptr<Pass> create_fold_weights_pass();
std::unique_ptr<Pass> create_dce_pass();

}  // namespace lmc::passes
