#include "models/tokenizer/tokenizer_from_json.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "models/formats/json.h"

namespace lmc::models {
namespace {

using json::Value;

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581

const Value* present(const Value* v) { return v && !v->is_null() ? v : nullptr; }

bool flag(const Value& obj, std::string_view key, bool fallback) {
  const Value* v = present(obj.find(key));
  return v ? v->as_bool() : fallback;
}

const std::string& type_of(const Value& step) { return step.at("type").as_string(); }

// A normalizer or pre-tokenizer as its list of steps, with Sequences flattened.
void flatten(const Value* step, std::string_view list_key, std::vector<const Value*>& out) {
  if (!present(step)) return;
  if (type_of(*step) != "Sequence") {
    out.push_back(step);
    return;
  }
  for (const Value& inner : step->at(list_key).as_array()) flatten(&inner, list_key, out);
}

bool is_string_pattern(const Value& step, std::string_view text) {
  const Value* s = step.at("pattern").find("String");
  return s && s->is_string() && s->as_string() == text;
}

// HF's spelling of each SplitBehavior.
const std::pair<const char*, SplitBehavior> kBehaviors[] = {
    {"Isolated", SplitBehavior::Isolated},
    {"Removed", SplitBehavior::Removed},
    {"MergedWithPrevious", SplitBehavior::MergedWithPrevious},
    {"MergedWithNext", SplitBehavior::MergedWithNext},
    {"Contiguous", SplitBehavior::Contiguous},
};

SplitBehavior split_behavior(const Value& behavior) {
  std::string known;
  for (const auto& [name, b] : kBehaviors) {
    if (behavior.as_string() == name) return b;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  throw behavior.error("unsupported Split behavior '" + behavior.as_string() + "' (lmc knows " + known + ")");
}

// A regex matching `text` literally: every ASCII character that is not a letter or digit
// escaped (\Q...\E would end early at a "\E" in the text).
std::string quote_regex(const std::string& text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u)) out += '\\';
    out += c;
  }
  return out;
}

// A Split's pattern: a regex, or a string matched literally.
PreSplit split_step(const Value& step) {
  const Value& pattern = step.at("pattern");
  PreSplit s;
  if (const Value* r = pattern.find("Regex"))
    s.regex = r->as_string();
  else if (const Value* lit = pattern.find("String"))
    s.regex = quote_regex(lit->as_string());
  else
    throw pattern.error("a Split pattern is {\"Regex\": ...} or {\"String\": ...}");
  s.behavior = split_behavior(step.at("behavior"));
  s.invert = flag(step, "invert", false);
  PreTokenizer({s}, pattern.where());  // a regex PCRE2 rejects is reported where it is written
  return s;
}

// The steps as regex splits: Split as written, Digits as \p{N} (one piece per digit, or per
// run), Punctuation as a split on each punctuation character, ByteLevel as GPT-2's pattern
// when it uses its regex, after a space in front of each piece with add_prefix_space; NFC /
// NFKC normalize first.
void read_byte_level_steps(const std::vector<const Value*>& normalizers, const std::vector<const Value*>& pre,
                           TokenizerVocab& v) {
  for (const Value* step : normalizers) {
    const std::string& type = type_of(*step);
    if ((type != "NFC" && type != "NFKC") || !v.normalizer.empty())
      throw step->error("unsupported normalizer '" + type + "' in a byte-level tokenizer (lmc knows one of NFC, NFKC)");
    v.normalizer = type;
  }
  for (const Value* step : pre) {
    const std::string& type = type_of(*step);
    if (type == "Split") {
      v.splits.push_back(split_step(*step));
    } else if (type == "Digits") {
      v.splits.push_back({flag(*step, "individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)"});
    } else if (type == "Punctuation") {
      // HF's punctuation: Unicode's, and ASCII's symbols too ($ + < = > ^ ` | ~).
      const Value* behavior = present(step->find("behavior"));
      v.splits.push_back({R"([\p{P}!-/:-@\[-`{-~])", behavior ? split_behavior(*behavior) : SplitBehavior::Isolated});
    } else if (type == "ByteLevel") {
      PreSplit bytes{flag(*step, "use_regex", true) ? kGpt2Pattern : ""};
      bytes.prefix_space = flag(*step, "add_prefix_space", true);
      if (!bytes.regex.empty() || bytes.prefix_space) v.splits.push_back(bytes);
    } else {
      throw step->error("unsupported pre-tokenizer step '" + type +
                        "' (lmc knows Split, Digits, Punctuation and ByteLevel)");
    }
  }
  v.pre = "tokenizer.json";
}

// SentencePiece's own normalization: spaces become U+2581, optionally one in front: always
// (a Prepend normalizer), or as a Metaspace pre-tokenizer does it, where the text does not
// start with one already, at the start only (prepend_scheme "first") or also after every
// special token ("always").
void read_sentencepiece_steps(const std::vector<const Value*>& normalizers, const std::vector<const Value*>& pre,
                              const Value& root, TokenizerVocab& v) {
  bool escapes_spaces = false;
  for (const Value* step : normalizers) {
    const std::string& type = type_of(*step);
    if (type == "Replace" && is_string_pattern(*step, " ") && step->at("content").as_string() == kSpaceMark)
      escapes_spaces = true;
    else if (type == "Prepend" && step->at("prepend").as_string() == kSpaceMark)
      v.add_space_prefix = true;
    else
      throw step->error("unsupported normalizer step '" + type + "'");
  }
  for (const Value* step : pre) {
    const std::string& type = type_of(*step);
    if (type == "Metaspace" && step->at("replacement").as_string() == kSpaceMark) {
      escapes_spaces = true;
      const Value* scheme = present(step->find("prepend_scheme"));
      if (scheme && scheme->as_string() != "first" && scheme->as_string() != "always" && scheme->as_string() != "never")
        throw scheme->error("unknown Metaspace prepend_scheme '" + scheme->as_string() + "' (first, always or never)");
      v.add_space_prefix = scheme ? scheme->as_string() != "never" : flag(*step, "add_prefix_space", true);
      v.space_prefix_if_missing = true;
      v.space_prefix_first_only = scheme && scheme->as_string() == "first";
      v.split_at_space_mark = flag(*step, "split", true);
    } else if (!(type == "Split" && escapes_spaces && is_string_pattern(*step, " "))) {
      // Splitting on " " after spaces became U+2581 is a no-op (Gemma ships one); others are not.
      throw step->error("unsupported pre-tokenizer step '" + type + "'");
    }
  }
  if (!escapes_spaces)
    throw root.error(
        "tokenizer is neither byte-level (a ByteLevel pre-tokenizer) nor SentencePiece-style "
        "(spaces normalized to U+2581)");
}

void read_pipeline(const Value& root, TokenizerVocab& v) {
  std::vector<const Value*> normalizers, pre;
  flatten(root.find("normalizer"), "normalizers", normalizers);
  flatten(root.find("pre_tokenizer"), "pretokenizers", pre);
  bool byte_level = false;
  for (const Value* step : pre) byte_level |= type_of(*step) == "ByteLevel";
  v.kind = byte_level ? TokenizerVocab::ByteLevel : TokenizerVocab::SentencePiece;
  if (byte_level)
    read_byte_level_steps(normalizers, pre, v);
  else
    read_sentencepiece_steps(normalizers, pre, root, v);
}

// Ids must cover 0..n-1 without a gap. Checked before the vocabulary is sized, so that a
// lying id (2^31 - 1 in a three-token file) is an error rather than a huge allocation.
void check_ids(const Value& vocab, const Value* added) {
  std::vector<int64_t> ids;
  auto add = [&](const Value& id) {
    int64_t n = id.as_int();
    if (n < 0 || n >= (int64_t{1} << 31)) throw id.error("token id " + std::to_string(n) + " is not valid");
    ids.push_back(n);
  };
  for (const json::Member& m : vocab.as_object()) add(m.value);
  if (added)
    for (const Value& t : added->as_array()) add(t.at("id"));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] != static_cast<int64_t>(i)) throw vocab.error("no token has id " + std::to_string(i));
}

void place_token(TokenizerVocab& v, int64_t id, const std::string& text) {
  if (static_cast<size_t>(id) >= v.tokens.size()) {
    v.tokens.resize(static_cast<size_t>(id) + 1);
    v.types.resize(static_cast<size_t>(id) + 1, 0);  // 0 marks "no token yet"
  }
  v.tokens[static_cast<size_t>(id)] = text;
  v.types[static_cast<size_t>(id)] = kTokenNormal;
}

bool is_byte_spelling(const std::string& t) {
  return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' &&
         std::isxdigit(static_cast<unsigned char>(t[3])) && std::isxdigit(static_cast<unsigned char>(t[4]));
}

// Added tokens are matched whole in text: special ones are control tokens, the rest
// user-defined. Their lstrip/rstrip/single_word refinements are not honoured.
void read_tokens(const Value& root, const Value& model, TokenizerVocab& v) {
  const Value* added = present(root.find("added_tokens"));
  check_ids(model.at("vocab"), added);
  for (const json::Member& m : model.at("vocab").as_object()) place_token(v, m.value.as_int(), m.key);
  bool byte_fallback = flag(model, "byte_fallback", false);
  for (size_t i = 0; i < v.tokens.size(); ++i)
    if (byte_fallback && v.types[i] == kTokenNormal && is_byte_spelling(v.tokens[i])) v.types[i] = kTokenByte;
  if (added) {
    for (const Value& t : added->as_array()) {
      int64_t id = t.at("id").as_int();
      place_token(v, id, t.at("content").as_string());
      v.types[static_cast<size_t>(id)] = flag(t, "special", false) ? kTokenControl : kTokenUserDefined;
    }
  }
}

// Merges are "left right" strings (older files) or [left, right] pairs.
void read_merges(const Value& model, TokenizerVocab& v) {
  const Value* merges = present(model.find("merges"));
  if (!merges) return;
  for (const Value& m : merges->as_array()) {
    if (m.is_array() && m.as_array().size() == 2) {
      v.merges.emplace_back(m.as_array()[0].as_string(), m.as_array()[1].as_string());
      continue;
    }
    const std::string& line = m.as_string();
    size_t space = line.find(' ');
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
      throw m.error("merge '" + line + "' is not two tokens separated by one space");
    v.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
}

void read_model(const Value& root, TokenizerVocab& v) {
  const Value& model = root.at("model");
  const Value& type = model.at("type");
  if (type.as_string() != "BPE") throw type.error("tokenizer model '" + type.as_string() + "' is not BPE");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (present(model.find(key))) throw model.at(key).error(std::string("BPE option '") + key + "' is not supported");
  v.ignore_merges = flag(model, "ignore_merges", false);
  read_tokens(root, model, v);
  read_merges(model, v);
}

int32_t id_of(const TokenizerVocab& v, const Value& where, const std::string& text) {
  for (size_t i = 0; i < v.tokens.size(); ++i)
    if (v.tokens[i] == text) return static_cast<int32_t>(i);
  throw where.error("token '" + text + "' is not in the vocabulary");
}

// tokenizer_config.json names a token as a string or as {"content": ...}.
int32_t config_token(const TokenizerVocab& v, const Value& config, std::string_view key) {
  const Value* t = present(config.find(key));
  if (!t) return -1;
  return id_of(v, *t, t->is_object() ? t->at("content").as_string() : t->as_string());
}

// Without tokenizer_config.json, a post-processor that puts a special token first names BOS
// (Llama 3's sits in a Sequence after a ByteLevel one).
void read_bos_from_template(const Value& root, TokenizerVocab& v) {
  std::vector<const Value*> post;
  flatten(root.find("post_processor"), "processors", post);
  for (const Value* step : post) {
    if (type_of(*step) != "TemplateProcessing") continue;
    const json::Array& single = step->at("single").as_array();
    if (single.empty() || !single[0].find("SpecialToken")) return;
    const Value& id = single[0].at("SpecialToken").at("id");
    v.bos = id_of(v, id, id.as_string());
    v.add_bos = true;
    return;
  }
}

void read_config(const std::string& path, TokenizerVocab& v) {
  json::Document doc = json::Document::read_file(path);
  const Value& config = doc.root();
  if (int32_t bos = config_token(v, config, "bos_token"); bos >= 0) v.bos = bos;
  v.eos = config_token(v, config, "eos_token");
  v.pad = config_token(v, config, "pad_token");
  if (int32_t unk = config_token(v, config, "unk_token"); unk >= 0) v.unk = unk;
  if (const Value* add = present(config.find("add_bos_token"))) v.add_bos = add->as_bool();
}

}  // namespace

TokenizerVocab tokenizer_vocab_from_json(const std::string& path) {
  json::Document doc = json::Document::read_file(path);
  const Value& root = doc.root();
  TokenizerVocab v;
  v.source = path;
  read_model(root, v);
  read_pipeline(root, v);
  if (const Value* unk = present(root.at("model").find("unk_token"))) v.unk = id_of(v, *unk, unk->as_string());
  read_bos_from_template(root, v);
  std::filesystem::path config = std::filesystem::path(path).parent_path() / "tokenizer_config.json";
  if (std::filesystem::exists(config)) read_config(config.string(), v);
  return v;
}

}  // namespace lmc::models
