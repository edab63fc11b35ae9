#include "codegen/llvm/linear/quantized_rows.h"

#include "codegen/llvm/blocks/super_blocks.h"
#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

namespace {

std::vector<int> iota(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

}  // namespace

QuantizedRows::QuantizedRows(Builder& b, int64_t rows, int64_t K, ir::DType w)
    : K_(K),
      group_(ir::dtype_block_elems(w) == 256 ? 256 : kBlock),
      half_sums_(ir::dtype_traits(w).block.f16_input_sums),
      sum_parts_(part_offsets(w) ? 2 : 1),
      flips_signs_(ir::panel_base(w) == ir::DType::q8_0 && ir::dtype_panel_rows(w) > 1 &&
                   use_vnni512(*b.GetInsertBlock()->getParent())),
      q_(stack_array(b, b.getInt8Ty(), rows * K)),
      d_(stack_array(b, b.getFloatTy(), rows * K / kBlock)),
      sum_(float_offsets(w) && !integer_scales(w) ? stack_array(b, b.getFloatTy(), rows * K / kBlock * sum_parts_)
                                                  : nullptr),
      qsum_(zero_point(w) ? stack_array(b, b.getInt16Ty(), rows * K / (kBlock / 2)) : nullptr),
      psum_((float_offsets(w) && integer_scales(w)) || flips_signs_ ? stack_array(b, b.getInt16Ty(), rows * K / kBlock)
                                                                    : nullptr) {}

llvm::Value* QuantizedRows::block_quant_sum(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateSExt(b.CreateLoad(b.getInt16Ty(), b.CreateGEP(b.getInt16Ty(), psum_, slot_block(b, slot, blk))),
                      b.getInt32Ty());
}

llvm::Value* QuantizedRows::slot_block(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateAdd(b.CreateMul(slot, i64c(b, blocks())), blk);
}

llvm::Value* QuantizedRows::quants(Builder& b, llvm::Value* slot, llvm::Value* k) const {
  return byte_ptr(b, q_, b.CreateAdd(b.CreateMul(slot, i64c(b, K_)), k));
}

llvm::Value* QuantizedRows::scale(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateLoad(b.getFloatTy(), f32_ptr(b, d_, slot_block(b, slot, blk)));
}

llvm::Value* QuantizedRows::sum(Builder& b, llvm::Value* slot, llvm::Value* blk, int part) const {
  auto* at = b.CreateAdd(b.CreateMul(slot_block(b, slot, blk), i64c(b, sum_parts_)), i64c(b, part));
  return b.CreateLoad(b.getFloatTy(), f32_ptr(b, sum_, at));
}

llvm::Value* QuantizedRows::quant_sum_ptr(Builder& b, llvm::Value* slot, llvm::Value* blk, int part) const {
  auto* at = b.CreateAdd(b.CreateMul(slot_block(b, slot, blk), i64c(b, 2)), i64c(b, part));
  return b.CreateGEP(b.getInt16Ty(), qsum_, at);
}

llvm::Value* QuantizedRows::quant_sum(Builder& b, llvm::Value* slot, llvm::Value* blk, int part) const {
  return b.CreateSExt(b.CreateLoad(b.getInt16Ty(), quant_sum_ptr(b, slot, blk, part)), b.getInt32Ty());
}

llvm::Value* QuantizedRows::quant_sum_pair(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateAlignedLoad(b.getInt32Ty(), quant_sum_ptr(b, slot, blk, 0), llvm::Align(4));
}

llvm::Value* QuantizedRows::piece_sum_pair(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateAlignedLoad(b.getInt32Ty(), b.CreateGEP(b.getInt16Ty(), psum_, slot_block(b, slot, blk)),
                             llvm::Align(4));
}

llvm::Value* QuantizedRows::quant_sums16(Builder& b, llvm::Value* slot, llvm::Value* blk) const {
  return b.CreateAlignedLoad(i16x(b, 16), quant_sum_ptr(b, slot, blk, 0), llvm::Align(4));
}

void QuantizedRows::fill(Builder& b, LinearIO& io, llvm::Value* t0, llvm::Value* rows) const {
  emit_for(
      b, i64c(b, 0), rows, 1,
      [&](llvm::Value* r) {
        emit_for(
            b, i64c(b, 0), i64c(b, K_ / group_), 1,
            [&](llvm::Value* g) { fill_group(b, io, b.CreateAdd(t0, r), r, g); }, "qb");
      },
      "qr");
}

// One scale's values of row t into `slot`: the group's max |x| first, then each block of
// 32 rounded by it, with its scale (and offset sum) stored per block.
void QuantizedRows::fill_group(Builder& b, LinearIO& io, llvm::Value* t, llvm::Value* slot, llvm::Value* group) const {
  const int64_t n = group_ / 8;
  auto* k0 = b.CreateMul(group, i64c(b, group_));
  std::vector<llvm::Value*> v;
  llvm::Value* amax = nullptr;
  for (int64_t i = 0; i < n; ++i) {
    v.push_back(io.load_input(t, b.CreateAdd(k0, i64c(b, 8 * i)), 8));
    amax = amax ? vmax(b, amax, vabs(b, v.back())) : vabs(b, v.back());
  }
  auto* m = hmax(b, amax);
  auto* zero = f32c(b, 0.0f);
  auto* inv = b.CreateSelect(b.CreateFCmpOGT(m, zero), b.CreateFDiv(f32c(b, 127.0f), m), zero);
  auto half = [&](llvm::Value* x) { return b.CreateFPExt(b.CreateFPTrunc(x, b.getHalfTy()), b.getFloatTy()); };
  const bool q8_k = group_ != kBlock;
  // q8_K's d is 1 / inv (0 for a zero group); q8_0's is max / 127, kept as f16.
  auto* d = q8_k ? b.CreateSelect(b.CreateFCmpOGT(m, zero), b.CreateFDiv(f32c(b, 1.0f), inv), zero)
                 : b.CreateFDiv(m, f32c(b, 127.0f));
  for (int64_t blk = 0; blk < group_ / kBlock; ++blk) {
    llvm::Value* q[4];
    for (int i = 0; i < 4; ++i) {
      auto* rounded = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven,
                                             b.CreateFMul(v[static_cast<size_t>(4 * blk + i)], splat(b, 8, inv)));
      q[i] = b.CreateFPToSI(rounded, i32x(b, 8));
    }
    auto* q32 = b.CreateShuffleVector(b.CreateShuffleVector(q[0], q[1], iota(16)),
                                      b.CreateShuffleVector(q[2], q[3], iota(16)), iota(32));
    auto* k = b.CreateAdd(k0, i64c(b, blk * kBlock));
    b.CreateAlignedStore(b.CreateTrunc(q32, i8x(b, 32)), quants(b, slot, k), llvm::Align(32));
    auto* at = slot_block(b, slot, b.CreateUDiv(k, i64c(b, kBlock)));
    b.CreateStore(q8_k ? d : half(d), f32_ptr(b, d_, at));
    if (qsum_)
      for (int part = 0; part < 2; ++part)
        b.CreateStore(b.CreateTrunc(b.CreateAddReduce(b.CreateAdd(q[2 * part], q[2 * part + 1])), b.getInt16Ty()),
                      b.CreateGEP(b.getInt16Ty(), qsum_, b.CreateAdd(b.CreateMul(at, i64c(b, 2)), i64c(b, part))));
    if (psum_)
      b.CreateStore(b.CreateTrunc(b.CreateAddReduce(b.CreateAdd(b.CreateAdd(q[0], q[1]), b.CreateAdd(q[2], q[3]))),
                                  b.getInt16Ty()),
                    b.CreateGEP(b.getInt16Ty(), psum_, at));
    if (!sum_) continue;
    // q8_1's sum is d·Σq from the unrounded d, stored as f16; q4_0's and q5_0's offsets
    // need the exact sum of the values the dot products read.
    auto store_sum = [&](llvm::Value* quants, int part) {
      auto* total = b.CreateSIToFP(b.CreateAddReduce(quants), b.getFloatTy());
      auto* sum = half_sums_ ? half(b.CreateFMul(total, d)) : b.CreateFMul(total, q8_k ? d : half(d));
      auto* slot_part = b.CreateAdd(b.CreateMul(at, i64c(b, sum_parts_)), i64c(b, part));
      b.CreateStore(sum, f32_ptr(b, sum_, slot_part));
    };
    if (sum_parts_ == 2) {
      store_sum(b.CreateAdd(q[0], q[1]), 0);
      store_sum(b.CreateAdd(q[2], q[3]), 1);
    } else {
      store_sum(b.CreateAdd(b.CreateAdd(q[0], q[1]), b.CreateAdd(q[2], q[3])), 0);
    }
  }
}

}  // namespace lmc::codegen
