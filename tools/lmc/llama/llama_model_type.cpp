#include "tools/lmc/llama/llama_model_type.h"

#include <functional>
#include <map>
#include <memory>

#include "support/error.h"

namespace lmc::tools {

namespace {

// The hyperparameters llama.cpp tells its size classes apart by.
struct Shape {
  int64_t layers, embd, heads, heads_kv, experts, vocab;
};

// One row: an architecture's depth, an optional further test, and the class's name.
struct SizeRow {
  const char* arch;
  int64_t layers;
  std::function<bool(const Shape&)> when;  // null: always
  const char* name;
  bool eight_experts = false;  // llama.cpp sizes a llama file with 8 experts by these rows only
};

const std::vector<SizeRow>& size_rows() {
  static const std::vector<SizeRow> rows = {
      {"llama", 32, nullptr, "8x7B", true},
      {"llama", 56, nullptr, "8x22B", true},
      {"llama", 16, nullptr, "1B"},
      {"llama", 22, nullptr, "1B"},
      {"llama", 26, nullptr, "3B"},
      {"llama", 28, nullptr, "3B"},
      {"llama", 30, nullptr, "256M"},
      {"llama", 32, [](const Shape& s) { return s.vocab == 49152; }, "3B"},
      {"llama", 32, [](const Shape& s) { return s.vocab < 40000; }, "7B"},
      {"llama", 32, nullptr, "8B"},
      {"llama", 36, nullptr, "8B"},
      {"llama", 40, nullptr, "13B"},
      {"llama", 48, nullptr, "34B"},
      {"llama", 60, nullptr, "30B"},
      {"llama", 80, [](const Shape& s) { return s.heads == s.heads_kv; }, "65B"},
      {"llama", 80, nullptr, "70B"},
      {"gemma2", 26, nullptr, "2B"},
      {"gemma2", 42, nullptr, "9B"},
      {"gemma2", 46, nullptr, "27B"},
      {"gemma3", 18, nullptr, "270M"},
      {"gemma3", 26, nullptr, "1B"},
      {"gemma3", 32, nullptr, "8B"},
      {"gemma3", 34, nullptr, "4B"},
      {"gemma3", 48, nullptr, "12B"},
      {"gemma3", 62, nullptr, "27B"},
      {"qwen2", 24, [](const Shape& s) { return s.embd == 1024; }, "0.5B"},
      {"qwen2", 24, nullptr, "1B"},
      {"qwen2", 28, [](const Shape& s) { return s.embd == 1536; }, "1.5B"},
      {"qwen2", 28, nullptr, "7B"},
      {"qwen2", 32, nullptr, "7B"},
      {"qwen2", 36, nullptr, "3B"},
      {"qwen2", 40, [](const Shape& s) { return s.heads == 20; }, "4B"},
      {"qwen2", 40, nullptr, "13B"},
      {"qwen2", 48, nullptr, "14B"},
      {"qwen2", 64, nullptr, "32B"},
      {"qwen2", 80, nullptr, "70B"},
      {"qwen3", 28, [](const Shape& s) { return s.embd == 1024; }, "0.6B"},
      {"qwen3", 28, nullptr, "1.7B"},
      {"qwen3", 36, [](const Shape& s) { return s.embd == 2560; }, "4B"},
      {"qwen3", 36, nullptr, "8B"},
      {"qwen3", 40, nullptr, "14B"},
      {"qwen3", 64, nullptr, "32B"},
      {"qwen2moe", 24, nullptr, "A2.7B"},
      {"qwen2moe", 28, nullptr, "57B.A14B"},
      {"qwen3moe", 48, nullptr, "30B.A3B"},
      {"qwen3moe", 94, nullptr, "235B.A22B"},
      {"olmoe", 16, nullptr, "A1.7B"},
      {"phi3", 24, nullptr, "1B"},
      {"phi3", 32, nullptr, "3B"},
      {"phi3", 40, nullptr, "14B"},
      {"gpt2", 12, nullptr, "0.1B"},
      {"gpt2", 24, nullptr, "0.4B"},
      {"gpt2", 36, nullptr, "0.8B"},
      {"gpt2", 48, nullptr, "1.5B"},
  };
  return rows;
}

int64_t int_or(const models::GgufFile& f, const std::string& key, int64_t fallback) {
  return f.find(key) ? f.get_int(key) : fallback;
}

Shape shape_of(const models::GgufFile& f, const std::string& arch) {
  Shape s{};
  s.layers = int_or(f, arch + ".block_count", 0);
  s.embd = int_or(f, arch + ".embedding_length", 0);
  s.heads = int_or(f, arch + ".attention.head_count", 0);
  s.heads_kv = int_or(f, arch + ".attention.head_count_kv", s.heads);
  s.experts = int_or(f, arch + ".expert_count", 0);
  s.vocab = int_or(f, arch + ".vocab_size", 0);
  if (s.vocab == 0 && f.find("tokenizer.ggml.tokens"))
    s.vocab = static_cast<int64_t>(f.get_strings("tokenizer.ggml.tokens").size());
  return s;
}

std::string size_name(const std::string& arch, const Shape& s) {
  const bool eight_experts = arch == "llama" && s.experts == 8;
  for (const SizeRow& row : size_rows())
    if (arch == row.arch && s.layers == row.layers && row.eight_experts == eight_experts && (!row.when || row.when(s)))
      return row.name;
  return "?B";
}

}  // namespace

std::string llama_ftype_name(int64_t ftype) {
  static const std::map<int64_t, const char*> names = {
      {0, "all F32"},
      {1, "F16"},
      {2, "Q4_0"},
      {3, "Q4_1"},
      {7, "Q8_0"},
      {8, "Q5_0"},
      {9, "Q5_1"},
      {10, "Q2_K - Medium"},
      {11, "Q3_K - Small"},
      {12, "Q3_K - Medium"},
      {13, "Q3_K - Large"},
      {14, "Q4_K - Small"},
      {15, "Q4_K - Medium"},
      {16, "Q5_K - Small"},
      {17, "Q5_K - Medium"},
      {18, "Q6_K"},
      {19, "IQ2_XXS - 2.0625 bpw"},
      {20, "IQ2_XS - 2.3125 bpw"},
      {21, "Q2_K - Small"},
      {22, "IQ3_XS - 3.3 bpw"},
      {23, "IQ3_XXS - 3.0625 bpw"},
      {24, "IQ1_S - 1.5625 bpw"},
      {25, "IQ4_NL - 4.5 bpw"},
      {26, "IQ3_S - 3.4375 bpw"},
      {27, "IQ3_S mix - 3.66 bpw"},
      {28, "IQ2_S - 2.5 bpw"},
      {29, "IQ2_M - 2.7 bpw"},
      {30, "IQ4_XS - 4.25 bpw"},
      {31, "IQ1_M - 1.75 bpw"},
      {32, "BF16"},
      {36, "TQ1_0 - 1.69 bpw ternary"},
      {37, "TQ2_0 - 2.06 bpw ternary"},
      {38, "MXFP4 MoE"},
  };
  auto it = names.find(ftype);
  return it == names.end() ? "unknown, may not work" : it->second;
}

std::optional<LlamaFileFacts> llama_file_facts(const std::string& path) {
  try {
    auto f = models::GgufFile::open(path);
    LlamaFileFacts out;
    out.model_type = llama_model_type(*f);
    out.ftype = llama_ftype_name(int_or(*f, "general.file_type", -1));
    for (const auto& t : f->tensors()) {
      out.size += static_cast<int64_t>(t.nbytes);
      out.params += static_cast<int64_t>(t.numel());
    }
    if (f->find("general.architecture"))
      out.n_ctx_train = int_or(*f, f->get_string("general.architecture") + ".context_length", 0);
    return out;
  } catch (const Error&) {
    return std::nullopt;  // not a GGUF, or gone since
  }
}

std::string llama_model_type(const models::GgufFile& f) {
  const std::string arch = f.find("general.architecture") ? f.get_string("general.architecture") : "unknown";
  return arch + " " + size_name(arch, shape_of(f, arch)) + " " + llama_ftype_name(int_or(f, "general.file_type", -1));
}

}  // namespace lmc::tools
