// Micro-benchmark of Tokenizer::encode (target `bench_tokenizer`, not a ctest test): about
// 200 KB of mixed text (the docs' prose and code, and the hostile strings of
// test_tokenizer_cases.json) through the real SmolLM2 and Gemma 3 tokenizers from
// models/weights, reported as input bytes per second.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/formats/json.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_gguf.h"

namespace {

using namespace lmc::models;

const std::filesystem::path kSource = LMC_SOURCE_DIR;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Prose, code and hostile strings in turn, cut at a character boundary near 200 KB.
const std::string& mixed_text() {
  static const std::string text = [] {
    std::string hostile;
    auto cases = json::Document::read_file((kSource / "tests/models/test_tokenizer_cases.json").string());
    for (const char* set : {"common", "hostile"})
      for (const json::Value& s : cases.root().at(set).as_array()) hostile += s.as_string() + "\n";
    const std::string code = read_file(kSource / "models/tokenizer/tokenizer.cpp");
    std::vector<std::string> docs;
    for (const auto& doc : std::filesystem::directory_iterator(kSource / "docs"))
      docs.push_back(read_file(doc.path()).substr(0, 6000));
    std::string out;
    for (size_t i = 0; out.size() < 200 * 1024; ++i)
      out += docs[i % docs.size()] + "\n" + hostile + code.substr(0, 3000) + "\n";
    size_t end = std::min(out.size(), size_t{200 * 1024});
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    return out.substr(0, end);
  }();
  return text;
}

void encode(benchmark::State& state, const char* weights) {
  const std::filesystem::path path = kSource / "models/weights" / weights;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("weights not present (scripts/fetch_models.py)");
    return;
  }
  auto tok = Tokenizer::create(tokenizer_vocab_from_gguf(*GgufFile::open(path.string())));
  const std::string& text = mixed_text();
  size_t tokens = 0;
  for (auto _ : state) {
    auto ids = tok->encode(text, false, false);
    tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
}

BENCHMARK_CAPTURE(encode, smollm2, "SmolLM2-135M-Instruct.Q4_1.gguf")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, gemma3, "gemma-3-270m-q4_k_m.gguf")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
