#include "runtime/op_ancestry.h"

namespace lmc::runtime {

OpAncestry::OpAncestry(const std::vector<const ir::Op*>& order)
    : words_((order.size() + 63) / 64), bits_(order.size()) {
  for (size_t i = 0; i < order.size(); ++i) {
    index_[order[i]] = i;
    bits_[i].assign(words_, 0);
    for (const ir::Value* o : order[i]->operands()) {
      auto it = o->def() ? index_.find(o->def()) : index_.end();
      if (it == index_.end()) continue;
      for (size_t w = 0; w < words_; ++w) bits_[i][w] |= bits_[it->second][w];
      bits_[i][it->second / 64] |= 1ull << (it->second % 64);
    }
  }
}

bool OpAncestry::precedes(const ir::Op* a, const ir::Op* b) const {
  size_t ia = index_.at(a), ib = index_.at(b);
  return bits_[ib][ia / 64] >> (ia % 64) & 1;
}

}  // namespace lmc::runtime
