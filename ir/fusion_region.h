// What one generated kernel can run, decided from a fusion body and the op traits:
// at most one anchor; a prologue (what computes the anchor's operand 0, when the
// anchor takes one) of elementwise ops, last-axis slices and whole-row reductions;
// an epilogue of elementwise ops on the anchor's result, which every yield depends
// on. Without an anchor: elementwise ops, slices and row reductions sharing one
// group length, yielding values of one type. Passes ask it before they fuse;
// codegen asks it before it generates.
#pragma once
#include <set>
#include <string>

#include "ir/graph.h"

namespace lmc::ir {

struct RegionShape {
  const Op* anchor = nullptr;
  std::set<const Op*> prologue, epilogue;
  Type row_type;       // the type whose rows the kernel walks
  int64_t segment = 0; // columns per reduction group (the row width by default)
};

// The shape of `body`, or an empty `error` explaining why no kernel can run it.
RegionShape region_shape(const Graph& body, std::string* error);

}  // namespace lmc::ir
