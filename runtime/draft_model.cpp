#include "runtime/draft_model.h"

#include <algorithm>

namespace lmc::runtime {

DraftModel::DraftModel(Executor& ex) : ex_(ex) {}

const float* DraftModel::feed(std::span<const int32_t> tokens) {
  const int64_t chunk = ex_.info().step_tokens;
  const float* last = nullptr;
  for (size_t at = 0; at < tokens.size(); at += static_cast<size_t>(chunk)) {
    int64_t T = std::min<int64_t>(chunk, static_cast<int64_t>(tokens.size() - at));
    last = ex_.step(tokens.data() + at, T, static_cast<int64_t>(seen_.size()), 1);
    seen_.insert(seen_.end(), tokens.begin() + static_cast<std::ptrdiff_t>(at),
                 tokens.begin() + static_cast<std::ptrdiff_t>(at) + T);
  }
  return last;
}

std::vector<int32_t> DraftModel::draft(std::span<const int32_t> history, int64_t max_draft) {
  const int64_t room = ex_.info().context - static_cast<int64_t>(history.size());
  max_draft = std::min(max_draft, room);
  if (max_draft <= 0 || history.empty()) return {};
  // The cache holds the longest prefix of the text it was fed; the last token is fed
  // again if nothing follows it, since its logits are the first guess.
  auto common = std::mismatch(seen_.begin(), seen_.end(), history.begin(), history.end()).first - seen_.begin();
  seen_.resize(static_cast<size_t>(std::min<std::ptrdiff_t>(common, static_cast<std::ptrdiff_t>(history.size()) - 1)));
  const float* logits = feed(history.subspan(seen_.size()));
  std::vector<int32_t> out;
  while (true) {
    out.push_back(greedy_.sample(logits, ex_.vocab()));
    if (static_cast<int64_t>(out.size()) == max_draft) return out;
    logits = feed(std::span<const int32_t>(&out.back(), 1));
  }
}

}  // namespace lmc::runtime
