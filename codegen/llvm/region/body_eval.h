// The values of a fusion body at one position of a row, as LLVM values. A position
// is `lanes` consecutive elements of one row (one scalar when lanes is 1); a value is
// computed from the body's arguments (loaded from their buffers) through elementwise
// ops, last-axis splits, row reductions, whose per-row statistics the kernel computes
// first (row_stats) and hands over (set_stats), and rotations (rope), whose per-row
// angle tables the kernel fills first (fill_rotations) and whose partner element is
// the operand computed at the partner's position. Nothing is stored between ops: this
// is what makes a region one kernel without intermediates.
//
// Indexing: a value of rank >= 2 is [rows, width] (dims after the first flattened);
// a rank-1 value that is not the region's row type is one row broadcast over all
// rows, indexed by the column (within the segment when it is a reduction's group), and
// a [rows, 1] one is one number per row broadcast over the row's columns.
#pragma once
#include <map>
#include <vector>

#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/region/rope_tables.h"
#include "ir/graph.h"

namespace lmc::codegen {

struct RowPos {
  llvm::Value* row;             // i64 row of the leading dim
  llvm::Value* seg;             // i64 first column of the current segment (a reduction's group)
  llvm::Value* col;             // i64 first column of this position
  unsigned lanes = 1;           // 1: a scalar
  llvm::Value* count = nullptr; // valid lanes of a tail, or nullptr
};

class BodyEval {
 public:
  // `args`: the buffer of each body argument. `row_type`: the type whose rows the
  // kernel walks; `segment`: the columns of one reduction group (the row width when
  // the reductions normalize whole rows); `lanes`: columns per vector step.
  BodyEval(Builder& b, const ir::Graph& body, std::vector<llvm::Value*> args, ir::Type row_type, int64_t segment,
           unsigned lanes);

  // At the kernel's start: each rotation's frequencies and table storage.
  void prepare_rotations(llvm::Function& fn);
  // Per row, before its values: each rotation's angles at the row's position.
  void fill_rotations(llvm::Value* row);

  // The per-row statistics of a reduction op of the body, valid until replaced.
  void set_stats(const ir::Op* reduction, std::vector<llvm::Value*> stats);
  // Computes a reduction's statistics over the current segment of `row` (scalars).
  std::vector<llvm::Value*> row_stats(const ir::Op& reduction, llvm::Value* row, llvm::Value* seg);
  // The reductions of the body, in an order where each follows those it reads.
  std::vector<const ir::Op*> reductions() const;

  // The values at one position; `given` supplies values the body cannot compute
  // (an anchor's result, for an epilogue).
  class Point {
   public:
    Point(BodyEval& eval, RowPos pos) : e_(eval), pos_(pos) {}
    void give(const ir::Value* v, llvm::Value* value) { memo_[v] = value; }
    llvm::Value* value(const ir::Value* v);

   private:
    llvm::Value* rotate(const ir::Op& op);

    BodyEval& e_;
    RowPos pos_;
    std::map<const ir::Value*, llvm::Value*> memo_;
  };

  // Stores `value` into the buffer of a row-shaped value at `pos`.
  void store(llvm::Value* buffer, const ir::Type& type, const RowPos& pos, llvm::Value* value);

 private:
  friend class Point;
  Builder& b_;
  const ir::Graph& body_;
  std::vector<llvm::Value*> args_;
  ir::Type row_type_;
  int64_t segment_;
  unsigned lanes_;
  std::map<const ir::Op*, std::vector<llvm::Value*>> stats_;
  std::map<const ir::Op*, RopeTables> tables_;

  bool broadcast(const ir::Type& t) const;
  bool column(const ir::Type& t) const;
  bool reads_rotation(const ir::Op& op) const;
  llvm::Value* argument(const ir::Op& op, int k);
  llvm::Value* load(const ir::Value* arg, const RowPos& pos);
  llvm::Value* address(llvm::Value* buffer, const ir::Type& t, const RowPos& pos);
};

}  // namespace lmc::codegen
