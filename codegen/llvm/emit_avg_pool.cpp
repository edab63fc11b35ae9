// avg_pool(x[side², D]) -> y[(side / window)², D]: result row oy * (side / window) + ox is
// the mean of the grid rows (oy * window + ky) * side + ox * window + kx over the window's
// ky, kx, added in that order (ky outer) in f32 and then divided by window², as ggml's
// average pool does. Work items: rows of y.
#include <llvm/IR/Function.h>

#include "codegen/avg_pool_shape.h"
#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/emitter.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kLanes = 8;

void emit(llvm::Function& fn, const KernelDesc& d) {
  AvgPoolShape s = avg_pool_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* x = arg_pointer(b, p, 0);
  llvm::Value* y = arg_pointer(b, p, 1);
  const int64_t width = s.x.width;
  auto* count = splat_f32(b, kLanes, static_cast<float>(s.window * s.window));
  emit_for(
      b, p.begin, p.end, 1,
      [&](llvm::Value* o) {
        auto* oy = b.CreateSDiv(o, i64c(b, s.pooled_side()));
        auto* ox = b.CreateSRem(o, i64c(b, s.pooled_side()));
        auto* corner = b.CreateAdd(b.CreateMul(oy, i64c(b, s.window * s.side)), b.CreateMul(ox, i64c(b, s.window)));
        emit_chunks(b, i64c(b, 0), i64c(b, width), kLanes, [&](llvm::Value* col, llvm::Value* lanes) {
          Carried sum = emit_for_carry(
              b, i64c(b, 0), i64c(b, s.window), 1, {splat_f32(b, kLanes, 0.0f)},
              [&](llvm::Value* ky, const Carried& acc_y) {
                auto* line = b.CreateAdd(corner, b.CreateMul(ky, i64c(b, s.side)));
                return emit_for_carry(
                    b, i64c(b, 0), i64c(b, s.window), 1, acc_y,
                    [&](llvm::Value* kx, const Carried& acc) {
                      auto* at = b.CreateAdd(b.CreateMul(b.CreateAdd(line, kx), i64c(b, width)), col);
                      return Carried{b.CreateFAdd(acc[0], load_f32x_n(b, f32_ptr(b, x, at), kLanes, lanes))};
                    },
                    "kx");
              },
              "ky");
          auto* at = b.CreateAdd(b.CreateMul(o, i64c(b, width)), col);
          store_f32x_n(b, b.CreateFDiv(sum[0], count), f32_ptr(b, y, at), lanes);
        });
      },
      "row");
  b.CreateRetVoid();
}

}  // namespace

void emit_avg_pool_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
