#include "structured/token_vocabulary.h"

#include <algorithm>
#include <utility>

#include <utf8proc.h>

namespace lmc::structured {

namespace {

// A whole, well-formed UTF-8 character at the start of s (utf8proc_iterate: RFC 3629's
// forms only), or 0.
size_t utf8_char(std::string_view s) {
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                        static_cast<utf8proc_ssize_t>(s.size()), &cp);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

// Code points of text a JSON string may hold as it is, or kNotPlain.
uint8_t plain_length(std::string_view text) {
  if (text.empty()) return TokenVocabulary::kNotPlain;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    const auto b = static_cast<uint8_t>(text[i]);
    if (b < 0x80) {
      if (b < 0x20 || b == '"' || b == '\\') return TokenVocabulary::kNotPlain;
      ++i;
      continue;
    }
    const size_t n = utf8_char(text.substr(i));
    if (n == 0) return TokenVocabulary::kNotPlain;
    i += n;
  }
  return chars < TokenVocabulary::kNotPlain ? static_cast<uint8_t>(chars) : TokenVocabulary::kNotPlain;
}

}  // namespace

void TokenTrie::build(const std::vector<std::string_view>& texts, const std::vector<int32_t>& ids_of_texts) {
  std::vector<uint32_t> node_of = trie.build(texts);
  first.assign(trie.size() + 1, 0);
  for (uint32_t n : node_of) ++first[n + 1];
  for (size_t n = 0; n < trie.size(); ++n) first[n + 1] += first[n];
  ids.assign(texts.size(), 0);
  std::vector<uint32_t> next(first.begin(), first.end() - 1);
  for (size_t i = 0; i < texts.size(); ++i) ids[next[node_of[i]]++] = ids_of_texts[i];
}

TokenVocabulary::TokenVocabulary(const std::vector<std::string>& texts, std::vector<int32_t> eog)
    : eog_(std::move(eog)), plain_chars_(texts.size(), kNotPlain), plain_((texts.size() + 63) / 64, 0) {
  offsets_.push_back(0);
  for (const std::string& t : texts) {
    blob_ += t;
    offsets_.push_back(static_cast<uint32_t>(blob_.size()));
    longest_ = std::max(longest_, t.size());
  }
  std::vector<std::string_view> all_texts, other_texts;
  std::vector<int32_t> all_ids, other_ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto id = static_cast<int32_t>(i);
    if (texts[i].empty() || is_eog(id)) continue;
    all_texts.push_back(text(id));
    all_ids.push_back(id);
    plain_chars_[i] = plain_length(texts[i]);
    if (plain_chars_[i] != kNotPlain) {
      plain_[i / 64] |= uint64_t{1} << (i % 64);
      most_plain_chars_ = std::max(most_plain_chars_, plain_chars_[i]);
      continue;
    }
    other_texts.push_back(text(id));
    other_ids.push_back(id);
  }
  all_.build(all_texts, all_ids);
  other_.build(other_texts, other_ids);
}

bool TokenVocabulary::is_eog(int32_t id) const { return std::find(eog_.begin(), eog_.end(), id) != eog_.end(); }

}  // namespace lmc::structured
