#include "models/tokenizer/tokenizer_token_table.h"

#include <bit>
#include <functional>
#include <limits>

#include "support/error.h"

namespace lmc::models {

TokenTable::TokenTable(const std::vector<std::string>& texts, const std::string& source) {
  size_t bytes = 0;
  for (const std::string& t : texts) bytes += t.size();
  if (bytes > std::numeric_limits<uint32_t>::max())
    throw error_at(source, "the token texts take " + std::to_string(bytes) + " bytes, more than 4 GiB");
  blob_.reserve(bytes);
  offsets_.reserve(texts.size() + 1);
  for (const std::string& t : texts) {
    blob_ += t;
    offsets_.push_back(static_cast<uint32_t>(blob_.size()));
  }
  slots_.assign(std::bit_ceil(2 * texts.size()), -1);
  for (size_t id = 0; id < texts.size(); ++id) index(static_cast<int32_t>(id));
}

std::string_view TokenTable::text(int32_t id) const {
  const auto i = static_cast<size_t>(id);
  return std::string_view(blob_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
}

size_t TokenTable::home_slot(std::string_view spelling) const {
  return std::hash<std::string_view>{}(spelling) & (slots_.size() - 1);
}

// A text already indexed keeps its first id: later duplicates are not findable.
void TokenTable::index(int32_t id) {
  const std::string_view t = text(id);
  for (size_t s = home_slot(t);; s = (s + 1) & (slots_.size() - 1)) {
    if (slots_[s] < 0) {
      slots_[s] = id;
      return;
    }
    if (text(slots_[s]) == t) return;
  }
}

std::optional<int32_t> TokenTable::find(std::string_view spelling) const {
  if (slots_.empty()) return std::nullopt;
  for (size_t s = home_slot(spelling);; s = (s + 1) & (slots_.size() - 1)) {
    if (slots_[s] < 0) return std::nullopt;
    if (text(slots_[s]) == spelling) return slots_[s];
  }
}

}  // namespace lmc::models
