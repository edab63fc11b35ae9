#include "models/tokenizer/tokenizer_pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "support/error.h"

namespace lmc::models {

const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

// The published patterns of the byte-level families (their tokenizer.json files; llama.cpp
// keeps the same ones under the tokenizer.ggml.pre names below).
const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kTekkenPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|)"
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|)"
    R"(\s*[\r\n]+|\s+(?!\S)|\s+)";
// OpenAI's o200k pattern, which Llama 4 uses too.
const char* const kGpt4oPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|)"
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|)"
    R"(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// llama.cpp's steps for a byte-level GGUF that names no pre-tokenizer (or "default").
const char* const kDefaultPunctuation = R"([\p{P}\$\+<=>\^~\|]+)";
const char* const kDefaultWords = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";

// The names llama.cpp gives one pre-tokenizer, and what it does. "gpt2" is lmc's own older
// spelling of llama.cpp's "gpt-2".
struct Named {
  std::vector<const char*> names;
  NamedPreTokenizer pre;
};

const std::vector<Named>& named() {
  static const std::vector<Named> table = {
      {{"default"}, {{{kDefaultPunctuation}, {kDefaultWords}, {R"(\p{N}+)"}, {"[0-9][0-9][0-9]"}}, "", false}},
      {{"gpt2", "gpt-2", "phi-2", "mpt", "olmo", "jais", "exaone4", "gigachat", "a.x-4.0", "mellum", "trillion",
        "granite-docling"},
       {{{kGpt2Pattern}}, "", false}},
      // Digits(individual_digits), then GPT-2's pattern.
      {{"smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"},
       {{{R"(\p{N})"}, {kGpt2Pattern}}, "", false}},
      {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"},
       {{{kLlama3Pattern}}, "", true}},
      {{"dbrx", "smaug-bpe"}, {{{kLlama3Pattern}}, "", false}},
      {{"qwen2", "deepseek-r1-qwen"}, {{{kQwen2Pattern}}, "NFC", false}},
      {{"stablelm2", "megrez", "kormo", "hunyuan"}, {{{kQwen2Pattern}}, "", false}},
      {{"tekken"}, {{{kTekkenPattern}}, "", true}},
      {{"gpt-4o", "llama4"}, {{{kGpt4oPattern}}, "", false}},
  };
  return table;
}

struct CodeFree {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataFree {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

}  // namespace

struct PreTokenizer::Step {
  std::unique_ptr<pcre2_code, CodeFree> code;  // none: the step only puts spaces in front
  std::string where;
  bool prefix_space = false;
  SplitBehavior behavior = SplitBehavior::Isolated;
  bool invert = false;
};

namespace {

// A stretch of a piece: a match of the step's regex or the text between two matches.
struct Span {
  size_t begin, end;
  bool match;
};

size_t next_char(std::string_view text, size_t at) {
  ++at;
  while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  return at;
}

// The piece as alternating matches and gaps, as HF's tokenizers finds them with Oniguruma:
// an empty match right where the previous match ended does not count, and the search then
// moves on by one character.
std::string pcre2_message(int code) {
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(code, msg, sizeof msg);
  return reinterpret_cast<const char*>(msg);
}

// Whether the regex matches at or after `at`. A regex that backtracks past PCRE2's limits
// is an error rather than a silent miss.
bool next_match(const pcre2_code* code, pcre2_match_data* md, std::string_view piece, size_t at,
                const std::string& where) {
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(piece.data()), piece.size(), at, 0, md, nullptr);
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) throw error_at(where, "pre-tokenizer regex failed: " + pcre2_message(rc));
  return rc > 0;
}

// UCP: \s, \w and \d follow Unicode, as in the Rust regex engine HF uses; invalid UTF-8 in
// the text never matches instead of failing the whole match.
pcre2_code* compile(const std::string& regex, const std::string& where) {
  int err = 0;
  PCRE2_SIZE at = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &at, nullptr);
  if (!code)
    throw error_at(where,
                   "pre-tokenizer regex is not valid at offset " + std::to_string(at) + ": " + pcre2_message(err));
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // without JIT support, matching interprets
  return code;
}

std::vector<Span> find_spans(const pcre2_code* code, pcre2_match_data* md, std::string_view piece, bool invert,
                             const std::string& where) {
  std::vector<Span> spans;
  size_t at = 0, kept = 0;
  std::optional<size_t> last_end;
  while (at <= piece.size() && next_match(code, md, piece, at, where)) {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    size_t begin = ov[0], end = ov[1];
    if (begin == end && last_end == end) {
      at = next_char(piece, at);
      continue;
    }
    if (begin > kept) spans.push_back({kept, begin, invert});
    spans.push_back({begin, end, !invert});
    kept = at = end;
    last_end = end;
  }
  if (kept < piece.size() || spans.empty()) spans.push_back({kept, piece.size(), invert});
  return spans;
}

// The spans a behavior makes pieces of (empty ones are dropped later, as HF drops them).
std::vector<Span> arrange(SplitBehavior behavior, const std::vector<Span>& spans) {
  std::vector<Span> out;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Isolated:
      return spans;
    case SplitBehavior::Removed:
      for (const Span& s : spans)
        if (!s.match) out.push_back(s);
      return out;
    case SplitBehavior::Contiguous:
      for (const Span& s : spans) {
        if (s.match == previous_match && !out.empty())
          out.back().end = s.end;
        else
          out.push_back(s);
        previous_match = s.match;
      }
      return out;
    case SplitBehavior::MergedWithPrevious:
      for (const Span& s : spans) {
        if (s.match && !previous_match && !out.empty())
          out.back().end = s.end;
        else
          out.push_back(s);
        previous_match = s.match;
      }
      return out;
    case SplitBehavior::MergedWithNext:
      for (auto s = spans.rbegin(); s != spans.rend(); ++s) {
        if (s->match && !previous_match && !out.empty())
          out.back().begin = s->begin;
        else
          out.push_back(*s);
        previous_match = s->match;
      }
      std::reverse(out.begin(), out.end());
      return out;
  }
  return out;
}

}  // namespace

NamedPreTokenizer pre_tokenizer_named(const std::string& name, const std::string& where) {
  if (name.empty()) return named()[0].pre;  // llama.cpp reads a missing name as "default"
  std::string known;
  for (const Named& n : named()) {
    for (const char* alias : n.names) {
      if (name == alias) return n.pre;
      known += (known.empty() ? "" : ", ") + std::string(alias);
    }
  }
  throw error_at(where, "unsupported byte-level pre-tokenizer '" + name + "' (known: " + known + ")");
}

PreTokenizer::PreTokenizer(const std::vector<PreSplit>& steps, const std::string& where) {
  for (const PreSplit& s : steps) {
    auto step = std::make_shared<Step>();
    step->where = where;
    step->behavior = s.behavior;
    step->invert = s.invert;
    step->prefix_space = s.prefix_space;
    if (!s.prefix_space || !s.regex.empty()) step->code.reset(compile(s.regex, where));
    steps_.push_back(std::move(step));
  }
}

std::vector<std::string_view> PreTokenizer::split(std::string_view text, std::deque<std::string>& prefixed) const {
  std::vector<std::string_view> pieces{text};
  for (const auto& step : steps_) {
    std::unique_ptr<pcre2_match_data, MatchDataFree> md;
    if (step->code) md.reset(pcre2_match_data_create_from_pattern(step->code.get(), nullptr));
    std::vector<std::string_view> next;
    for (std::string_view piece : pieces) {
      if (piece.empty()) continue;
      if (step->prefix_space && piece.front() != ' ') piece = prefixed.emplace_back(" " + std::string(piece));
      if (!step->code) {
        next.push_back(piece);
        continue;
      }
      for (const Span& s :
           arrange(step->behavior, find_spans(step->code.get(), md.get(), piece, step->invert, step->where)))
        if (s.end > s.begin) next.push_back(piece.substr(s.begin, s.end - s.begin));
    }
    pieces = std::move(next);
  }
  std::erase_if(pieces, [](std::string_view p) { return p.empty(); });
  return pieces;
}

}  // namespace lmc::models
