#include "codegen/llvm/cache_rows.h"

#include <llvm/IR/Intrinsics.h>

#include "codegen/llvm/blocks/weight_blocks.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kBlock = 32;  // q8_0 values per block
constexpr unsigned kLanes = 8;

llvm::Value* load_q8_0_values(Builder& b, llvm::Value* src, int64_t n) {
  int64_t block_bytes = ir::dtype_block_bytes(ir::DType::q8_0);
  llvm::Value* out = llvm::PoisonValue::get(f32x(b, static_cast<unsigned>(n)));
  for (int64_t j = 0; j < n / kBlock; ++j) {
    llvm::Value* values = q8_0_values(b, byte_ptr(b, src, i64c(b, j * block_bytes)));
    out = b.CreateInsertVector(out->getType(), out, values, b.getInt64(static_cast<uint64_t>(j * kBlock)));
  }
  return out;
}

// Values i .. i+7 of q8_0 blocks: a quarter of block i / 32, times its scale.
llvm::Value* load_q8_0_lanes(Builder& b, llvm::Value* row, llvm::Value* i) {
  auto* block =
      byte_ptr(b, row, b.CreateMul(b.CreateUDiv(i, i64c(b, kBlock)), i64c(b, ir::dtype_block_bytes(ir::DType::q8_0))));
  auto* scale = b.CreateFPExt(b.CreateAlignedLoad(b.getHalfTy(), block, llvm::Align(1)), b.getFloatTy());
  auto* at = byte_ptr(b, block, b.CreateAdd(b.CreateURem(i, i64c(b, kBlock)), i64c(b, 2)));
  auto* q = b.CreateAlignedLoad(i8x(b, kLanes), at, llvm::Align(1));
  return b.CreateFMul(b.CreateSIToFP(q, f32x(b, kLanes)), splat(b, kLanes, scale));
}

void store_f16_row(Builder& b, llvm::Value* x, llvm::Value* dst, int64_t width) {
  auto* half8 = llvm::FixedVectorType::get(b.getHalfTy(), kLanes);
  int64_t whole = width / static_cast<int64_t>(kLanes) * kLanes;
  emit_for(
      b, i64c(b, 0), i64c(b, whole), kLanes,
      [&](llvm::Value* i) {
        auto* h = b.CreateFPTrunc(load_f32x(b, f32_ptr(b, x, i), kLanes), half8);
        b.CreateAlignedStore(h, elem_ptr(b, b.getHalfTy(), dst, i), llvm::Align(2));
      },
      "f16");
  emit_for(
      b, i64c(b, whole), i64c(b, width), 1,
      [&](llvm::Value* i) {
        auto* h = b.CreateFPTrunc(b.CreateLoad(b.getFloatTy(), f32_ptr(b, x, i)), b.getHalfTy());
        b.CreateAlignedStore(h, elem_ptr(b, b.getHalfTy(), dst, i), llvm::Align(2));
      },
      "f16_tail");
}

void store_q8_0_row(Builder& b, llvm::Value* x, llvm::Value* dst, int64_t width) {
  int64_t block_bytes = ir::dtype_block_bytes(ir::DType::q8_0);
  emit_for(
      b, i64c(b, 0), i64c(b, width / kBlock), 1,
      [&](llvm::Value* k) {
        llvm::Value* src = f32_ptr(b, x, b.CreateMul(k, i64c(b, kBlock)));
        llvm::Value* block = byte_ptr(b, dst, b.CreateMul(k, i64c(b, block_bytes)));
        llvm::Value* v[kBlock / kLanes];
        llvm::Value* amax = nullptr;
        for (unsigned i = 0; i < kBlock / kLanes; ++i) {
          v[i] = load_f32x(b, f32_ptr(b, src, i64c(b, i * kLanes)), kLanes);
          amax = amax ? vmax(b, amax, vabs(b, v[i])) : vabs(b, v[i]);
        }
        auto* d = b.CreateFDiv(hmax(b, amax), f32c(b, 127.0f));
        auto* inv = b.CreateSelect(b.CreateFCmpUNE(d, f32c(b, 0.0f)), b.CreateFDiv(f32c(b, 1.0f), d), f32c(b, 0.0f));
        b.CreateAlignedStore(b.CreateFPTrunc(d, b.getHalfTy()), block, llvm::Align(1));
        for (unsigned i = 0; i < kBlock / kLanes; ++i) {
          auto* rounded = b.CreateUnaryIntrinsic(llvm::Intrinsic::round, b.CreateFMul(v[i], splat(b, kLanes, inv)));
          auto* q = b.CreateTrunc(b.CreateFPToSI(rounded, i32x(b, kLanes)), i8x(b, kLanes));
          b.CreateAlignedStore(q, byte_ptr(b, block, i64c(b, 2 + i * kLanes)), llvm::Align(1));
        }
      },
      "q8_0");
}

}  // namespace

llvm::Value* load_cache_values(Builder& b, ir::DType dtype, llvm::Value* src, int64_t n) {
  switch (dtype) {
    case ir::DType::f16:
      return load_f16x_as_f32x(b, src, static_cast<unsigned>(n));
    case ir::DType::q8_0:
      return load_q8_0_values(b, src, n);
    default:
      return b.CreateAlignedLoad(f32x(b, static_cast<unsigned>(n)), src, llvm::Align(4));
  }
}

llvm::Value* load_cache_lanes(Builder& b, ir::DType dtype, llvm::Value* row, llvm::Value* i) {
  switch (dtype) {
    case ir::DType::f16:
      return load_f16x_as_f32x(b, elem_ptr(b, b.getHalfTy(), row, i), kLanes);
    case ir::DType::q8_0:
      return load_q8_0_lanes(b, row, i);
    default:
      return load_f32x(b, f32_ptr(b, row, i), kLanes);
  }
}

void store_cache_row(Builder& b, ir::DType dtype, llvm::Value* x, llvm::Value* dst, int64_t width) {
  switch (dtype) {
    case ir::DType::f16:
      store_f16_row(b, x, dst, width);
      break;
    case ir::DType::q8_0:
      store_q8_0_row(b, x, dst, width);
      break;
    default:
      b.CreateMemCpy(dst, llvm::Align(1), x, llvm::Align(1), width * 4);
      break;
  }
}

}  // namespace lmc::codegen
