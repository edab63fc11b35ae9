#include "runtime/kv_page_table.h"

#include <string>

#include "codegen/kernel_abi.h"
#include "support/checked_math.h"
#include "support/error.h"

namespace lmc::runtime {

KvPageTable::KvPageTable(int64_t sequences, int64_t context)
    : sequences_(sequences), per_sequence_(kv_pages_per_sequence(context)) {
  if (sequences < 1 || context < 1)
    throw Error("runtime: error: a KV page table needs at least one sequence slot and one position");
  if (ir::checked_mul(sequences, context, "KV cache rows") > INT32_MAX)
    throw Error("runtime: error: " + std::to_string(sequences) + " sequences of " + std::to_string(context) +
                " positions are more KV cache rows than a page table addresses (2^31)");
  entries_.resize(static_cast<size_t>(sequences * per_sequence_));
  for (int64_t s = 0; s < sequences; ++s)
    for (int64_t j = 0; j < per_sequence_; ++j)
      set_first_row(s, j, static_cast<int32_t>(s * context + j * kKvPageRows));
}

}  // namespace lmc::runtime
