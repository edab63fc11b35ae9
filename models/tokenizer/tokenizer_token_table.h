// The token texts as a running tokenizer keeps them: one byte blob with an offset per token,
// and an open-addressing index of token ids over it that compares against the blob. Kept as
// a std::string per token plus a hash map holding a second copy of each, Gemma 3's 262,144
// tokens took about 29 MB of heap; this way they take 5.5.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmc::models {

class TokenTable {
 public:
  TokenTable() = default;
  // Throws lmc::Error naming `source` when the texts do not fit 32-bit offsets.
  TokenTable(const std::vector<std::string>& texts, const std::string& source);

  size_t size() const { return offsets_.size() - 1; }
  std::string_view text(int32_t id) const;
  // The first token spelled so, as a map filled in id order would keep.
  std::optional<int32_t> find(std::string_view spelling) const;

 private:
  size_t home_slot(std::string_view spelling) const;
  void index(int32_t id);

  std::string blob_;
  std::vector<uint32_t> offsets_{0};  // token i is blob_[offsets_[i], offsets_[i + 1])
  // Token ids, -1 for an empty slot. A power-of-two size at most half full keeps a miss,
  // the common case while merging, to a probe or two: each occupied slot it passes costs
  // a look at the blob.
  std::vector<int32_t> slots_;
};

}  // namespace lmc::models
