// A fusion pass read from a pass file (pass_file.h): for each rule in order, each match
// of its pattern in program order is tried against its guards in order, then against the
// region guard (can the group run as one kernel: Rewriter::fusion_blocker), and its
// `fuse` ops become one region. Each refusal is a remark at the root's value naming what
// failed ("not fused: %y has other users").
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "passes/api/pass.h"
#include "passes/text/pass_file.h"

namespace lmc::passes::text {

class TextFusionPass : public Pass {
 public:
  explicit TextFusionPass(std::shared_ptr<const PassFile> file) : file_(std::move(file)) {}
  std::string name() const override { return file_->name; }
  std::string summary() const override { return file_->summary; }
  PassResult run(ir::Graph& g, PassContext& ctx) override;
  std::optional<std::vector<Place>> candidates(ir::Graph& g) const override;

 private:
  std::shared_ptr<const PassFile> file_;
};

// Each call of the factory is a new pass of the one parsed file.
std::function<std::unique_ptr<Pass>()> text_pass_factory(std::shared_ptr<const PassFile> file);

}  // namespace lmc::passes::text
