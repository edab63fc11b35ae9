#include "models/tokenizer/tokenizer_io.h"

#include <cstring>

#include "support/error.h"

namespace lmc::models {

namespace {

constexpr char kMagic[8] = {'L', 'M', 'C', 'T', 'O', 'K', '0', '1'};
// A split step is stored as its SplitBehavior, with these bits set when it is inverted and
// when it puts a space in front of the pieces.
constexpr uint32_t kSplitInverted = 1u << 8;
constexpr uint32_t kSplitPrefixSpace = 1u << 9;

void put_u32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
void put_str(std::string& s, const std::string& v) {
  put_u32(s, static_cast<uint32_t>(v.size()));
  s += v;
}

class Reader {
 public:
  Reader(std::string_view b, const std::string& src) : b_(b), src_(src) {}
  uint32_t u32() {
    need(4);
    uint32_t v;
    std::memcpy(&v, b_.data() + p_, 4);
    p_ += 4;
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    need(n);
    std::string s(b_.substr(p_, n));
    p_ += n;
    return s;
  }
  // A count of items each at least `min_bytes` long must fit in what is left.
  uint32_t count(size_t min_bytes) {
    uint32_t n = u32();
    if (static_cast<uint64_t>(n) * min_bytes > b_.size() - p_) fail("count " + std::to_string(n) + " past the end");
    return n;
  }
  void need(size_t n) {
    if (n > b_.size() - p_) fail("truncated");
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw error_at(src_ + ":tokenizer offset " + std::to_string(p_), what);
  }
  bool done() const { return p_ == b_.size(); }
  size_t pos() const { return p_; }

 private:
  std::string_view b_;
  const std::string& src_;
  size_t p_ = 0;
};

}  // namespace

std::string serialize_vocab(const TokenizerVocab& v) {
  std::string s(kMagic, 8);
  put_u32(s, v.kind);
  put_u32(s, static_cast<uint32_t>(v.tokens.size()));
  for (const auto& t : v.tokens) put_str(s, t);
  put_u32(s, static_cast<uint32_t>(v.scores.size()));
  for (float f : v.scores) s.append(reinterpret_cast<const char*>(&f), 4);
  put_u32(s, static_cast<uint32_t>(v.types.size()));
  for (int32_t t : v.types) put_u32(s, static_cast<uint32_t>(t));
  put_u32(s, static_cast<uint32_t>(v.merges.size()));
  for (const auto& [a, b] : v.merges) {
    put_str(s, a);
    put_str(s, b);
  }
  for (int32_t id : {v.bos, v.eos, v.unk, v.pad}) put_u32(s, static_cast<uint32_t>(id));
  put_u32(s, (v.add_bos ? 1u : 0u) | (v.add_space_prefix ? 2u : 0u) | (v.space_prefix_if_missing ? 4u : 0u) |
                 (v.space_prefix_first_only ? 8u : 0u) | (v.ignore_merges ? 16u : 0u) |
                 (v.split_at_space_mark ? 32u : 0u));
  put_str(s, v.pre);
  put_u32(s, static_cast<uint32_t>(v.splits.size()));
  for (const PreSplit& p : v.splits) {
    put_str(s, p.regex);
    put_u32(s, static_cast<uint32_t>(p.behavior) | (p.invert ? kSplitInverted : 0u) |
                   (p.prefix_space ? kSplitPrefixSpace : 0u));
  }
  put_str(s, v.normalizer);
  put_str(s, v.source);
  return s;
}

TokenizerVocab deserialize_vocab(std::string_view bytes, const std::string& source) {
  Reader r(bytes, source);
  r.need(8);
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) r.fail("not a serialized lmc tokenizer");
  for (int i = 0; i < 2; ++i) r.u32();  // skip the magic
  TokenizerVocab v;
  uint32_t kind = r.u32();
  if (kind > TokenizerVocab::ByteLevel) r.fail("unknown tokenizer kind " + std::to_string(kind));
  v.kind = static_cast<TokenizerVocab::Kind>(kind);
  v.tokens.resize(r.count(4));
  for (auto& t : v.tokens) t = r.str();
  v.scores.resize(r.count(4));
  for (float& f : v.scores) {
    uint32_t u = r.u32();
    std::memcpy(&f, &u, 4);
  }
  v.types.resize(r.count(4));
  for (int32_t& t : v.types) t = static_cast<int32_t>(r.u32());
  v.merges.resize(r.count(8));
  for (auto& [a, b] : v.merges) {
    a = r.str();
    b = r.str();
  }
  for (int32_t* id : {&v.bos, &v.eos, &v.unk, &v.pad}) *id = static_cast<int32_t>(r.u32());
  uint32_t flags = r.u32();
  v.add_bos = flags & 1u;
  v.add_space_prefix = flags & 2u;
  v.space_prefix_if_missing = flags & 4u;
  v.space_prefix_first_only = flags & 8u;
  v.ignore_merges = flags & 16u;
  v.split_at_space_mark = flags & 32u;
  v.pre = r.str();
  v.splits.resize(r.count(8));
  for (PreSplit& p : v.splits) {
    p.regex = r.str();
    uint32_t how = r.u32();
    uint32_t behavior = how & ~(kSplitInverted | kSplitPrefixSpace);
    if (behavior > static_cast<uint32_t>(SplitBehavior::Contiguous)) r.fail("unknown split behavior");
    p.behavior = static_cast<SplitBehavior>(behavior);
    p.invert = (how & kSplitInverted) != 0;
    p.prefix_space = (how & kSplitPrefixSpace) != 0;
  }
  v.normalizer = r.str();
  v.source = r.str();
  if (!r.done()) r.fail("trailing bytes");
  auto n = static_cast<int32_t>(v.tokens.size());
  for (int32_t id : {v.bos, v.eos, v.unk, v.pad})
    if (id < -1 || id >= n) r.fail("special token id " + std::to_string(id) + " outside the vocabulary");
  return v;
}

}  // namespace lmc::models
