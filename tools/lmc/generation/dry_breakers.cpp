#include "tools/lmc/generation/dry_breakers.h"

#include <algorithm>
#include <mutex>

namespace lmc::tools {

namespace {

// llama.cpp's bounds: a breaker's first 40 bytes, a tail's first 20 tokens.
constexpr size_t kMaxBreakerBytes = 40;
constexpr size_t kMaxTailTokens = 20;

void add(runtime::DryBreakers& out, int32_t head, std::vector<int32_t> tail) {
  auto [from, to] = out.equal_range(head);
  if (std::none_of(from, to, [&](const auto& entry) { return entry.second == tail; }))
    out.emplace(head, std::move(tail));
}

// Each place `text` ends with the beginning of `breaker`: the rest of the breaker, tokenised.
void add_overlaps(runtime::DryBreakers& out, const models::Tokenizer& tok, int32_t id, const std::string& text,
                  const std::string& breaker) {
  for (size_t pos = text.find(breaker[0]); pos != std::string::npos; pos = text.find(breaker[0], pos + 1)) {
    const size_t overlap = text.size() - pos;
    if (overlap >= breaker.size() || text.compare(pos, overlap, breaker, 0, overlap) != 0) continue;
    std::vector<int32_t> tail = tok.encode(std::string_view(breaker).substr(overlap), false, false);
    if (tail.size() > kMaxTailTokens) tail.resize(kMaxTailTokens);
    add(out, id, std::move(tail));
  }
}

std::shared_ptr<const runtime::DryBreakers> read_breakers(const models::Tokenizer& tok,
                                                          const std::vector<std::string>& breakers) {
  auto out = std::make_shared<runtime::DryBreakers>();
  if (breakers.empty()) return out;
  for (int32_t id = 0; id < static_cast<int32_t>(tok.size()); ++id) {
    const std::string text = tok.token_text(id);
    for (std::string breaker : breakers) {
      if (breaker.empty()) continue;
      breaker.resize(std::min(breaker.size(), kMaxBreakerBytes));
      if (text.find(breaker) != std::string::npos)
        add(*out, id, {});
      else
        add_overlaps(*out, tok, id, text, breaker);
    }
  }
  return out;
}

}  // namespace

// Reading the vocabulary takes a tenth of a second for SmolLM2's 49k tokens, and a server
// asks it for each request with DRY on: the last table stays, for the same tokenizer and
// breakers.
std::shared_ptr<const runtime::DryBreakers> dry_breakers(const models::Tokenizer& tok,
                                                         const std::vector<std::string>& breakers) {
  static std::mutex mutex;
  static const models::Tokenizer* last_tokenizer = nullptr;
  static std::vector<std::string> last_breakers;
  static std::shared_ptr<const runtime::DryBreakers> last;
  std::lock_guard lock(mutex);
  if (!last || last_tokenizer != &tok || last_breakers != breakers) {
    last = read_breakers(tok, breakers);
    last_tokenizer = &tok;
    last_breakers = breakers;
  }
  return last;
}

}  // namespace lmc::tools
