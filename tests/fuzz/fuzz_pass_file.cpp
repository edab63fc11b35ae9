// A pass file (passes/text/), as --load-pass-file and LMC_PASS_DIR read it: the parser, its
// line lexer, the guard vocabulary and the patterns it hands to OpPattern. Every input must
// parse or be refused with an lmc::Error; a pass that parses then runs on a small graph with
// a gated MLP, a residual and a norm before projections, so its pattern, guards and fusions
// meet real matches (a standard exception escaping them is a finding: a capture a guard
// reads that the match does not bind, say).
#include <cstdint>
#include <memory>
#include <string>

#include "ir/parser.h"
#include "ir/verifier.h"
#include "passes/text/pass_file.h"
#include "passes/text/text_fusion_pass.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

const char* kGraph = R"(graph @block(%x: f32[T,64]) {
  %nw = param {name = "norm.weight"} : f32[64]
  %h = rms_norm %x, %nw {eps = 1e-06} : f32[T,64]
  %wgu = param {name = "gate_up.weight"} : f32[256,64]
  %gu = linear %h, %wgu : f32[T,256]
  %g, %u = split %gu {axis = 1, sizes = [128, 128]} : f32[T,128], f32[T,128]
  %a = silu %g : f32[T,128]
  %m = mul %a, %u : f32[T,128]
  %wd = param {name = "down.weight"} : f32[64,128]
  %d = linear %m, %wd : f32[T,64]
  %r = add %x, %d : f32[T,64]
  %n2 = rms_norm %r, %nw {eps = 1e-06} : f32[T,64]
  %t = add %r, %n2 : f32[T,64]
  return %t
}
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const lmc::passes::text::PassFile> file;
  try {
    file = std::make_shared<const lmc::passes::text::PassFile>(
        lmc::passes::text::parse_pass_file(lmc::fuzz::as_text(data, size), "fuzz.pass"));
  } catch (const lmc::Error&) {
    return 0;
  }
  auto g = lmc::ir::parse(kGraph, "block.lir");
  lmc::passes::PassContext ctx;
  lmc::passes::text::TextFusionPass(file).run(*g, ctx);
  // Not caught: a fusion that leaves a graph the verifier refuses is a bug.
  lmc::ir::verify(*g, "fused.lir");
  return 0;
}
