#include "models/tokenizer/tokenizer_from_gguf.h"

#include <cstdint>

#include "support/error.h"

namespace lmc::models {
namespace {

int32_t optional_id(const GgufFile& g, const std::string& key) {
  if (!g.find(key)) return -1;
  int64_t id = g.get_int(key);
  if (id < -1 || id > INT32_MAX)
    throw error_at(g.path(), "metadata '" + key + "' = " + std::to_string(id) + " is not a token id");
  return static_cast<int32_t>(id);
}

bool optional_bool(const GgufFile& g, const std::string& key, bool fallback) {
  const MetaValue* m = g.find(key);
  if (!m) return fallback;
  const bool* b = std::get_if<bool>(&m->v);
  if (!b) throw error_at(g.path(), "metadata '" + key + "' is not a bool");
  return *b;
}

// GGUF spells a merge as "left right"; neither side of a byte-level merge holds a space.
std::pair<std::string, std::string> split_merge(const GgufFile& g, const std::string& line, size_t index) {
  size_t space = line.find(' ');
  if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
    throw error_at(g.path(), "metadata 'tokenizer.ggml.merges' element " + std::to_string(index) + " '" + line +
                                 "' is not two tokens separated by one space");
  return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace

TokenizerVocab tokenizer_vocab_from_gguf(const GgufFile& g) {
  TokenizerVocab v;
  v.source = g.path();
  const std::string model = g.get_string("tokenizer.ggml.model");
  if (model == "llama")
    v.kind = TokenizerVocab::SentencePiece;
  else if (model == "gpt2")
    v.kind = TokenizerVocab::ByteLevel;
  else
    throw error_at(g.path(), "metadata 'tokenizer.ggml.model' is '" + model + "'; lmc reads 'llama' and 'gpt2'");

  v.tokens = g.get_strings("tokenizer.ggml.tokens");
  if (g.find("tokenizer.ggml.scores"))
    for (double s : g.get_floats("tokenizer.ggml.scores")) v.scores.push_back(static_cast<float>(s));
  if (g.find("tokenizer.ggml.token_type"))
    for (int64_t t : g.get_ints("tokenizer.ggml.token_type")) {
      if (t < 0 || t > kTokenByte)
        throw error_at(g.path(), "metadata 'tokenizer.ggml.token_type' element " + std::to_string(v.types.size()) +
                                     " is " + std::to_string(t) + ", not a token type (0..6)");
      v.types.push_back(static_cast<int32_t>(t));
    }
  if (g.find("tokenizer.ggml.merges")) {
    std::vector<std::string> lines = g.get_strings("tokenizer.ggml.merges");
    for (size_t i = 0; i < lines.size(); ++i) v.merges.push_back(split_merge(g, lines[i], i));
  }
  v.bos = optional_id(g, "tokenizer.ggml.bos_token_id");
  v.eos = optional_id(g, "tokenizer.ggml.eos_token_id");
  v.unk = optional_id(g, "tokenizer.ggml.unknown_token_id");
  v.pad = optional_id(g, "tokenizer.ggml.padding_token_id");
  // llama.cpp's defaults when the keys are absent: SentencePiece models add BOS and a space.
  bool spm = v.kind == TokenizerVocab::SentencePiece;
  v.add_bos = optional_bool(g, "tokenizer.ggml.add_bos_token", spm);
  v.add_space_prefix = optional_bool(g, "tokenizer.ggml.add_space_prefix", spm);
  if (g.find("tokenizer.ggml.pre")) v.pre = g.get_string("tokenizer.ggml.pre");
  if (v.kind == TokenizerVocab::ByteLevel) {
    NamedPreTokenizer pre = pre_tokenizer_named(v.pre, g.path() + ": tokenizer.ggml.pre");
    v.splits = pre.splits;
    v.normalizer = pre.normalizer;
    v.ignore_merges = pre.ignore_merges;
  }
  return v;
}

}  // namespace lmc::models
