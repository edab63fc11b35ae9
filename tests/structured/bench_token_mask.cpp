// Micro-benchmark of one step's token mask on Gemma 3's vocabulary (262144 tokens; target
// `bench_token_mask`, not a ctest test), at the states a JSON answer passes through: the
// start of an object, a key, the value after a colon (any JSON value), a string's text
// with and without a length bound, a number, and a tight token budget; and inside the first
// string of a record of 200 required properties whose budget is what the rest needs (the
// count in tokens, token_distance.h), first (a new request: its completion written out and
// counted) and at the next steps. The time is what a constrained request adds to each
// decode step (JsonTokenConstraint::mask: the mask and writing it into the logits row).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "structured/json_token_constraint.h"
#include "structured/schema_compiler.h"
#include "tools/lmc/generation/constraint_vocabulary.h"

namespace {

using namespace lmc;

const std::filesystem::path kGemma = std::filesystem::path(LMC_SOURCE_DIR) / "models/weights/gemma-3-270m-q4_k_m.gguf";

std::shared_ptr<const structured::TokenVocabulary> gemma() {
  static std::shared_ptr<const structured::TokenVocabulary> vocab = [] {
    auto tok = models::Tokenizer::create(models::tokenizer_vocab_from_gguf(*models::GgufFile::open(kGemma.string())));
    return tools::constraint_vocabulary(*tok);
  }();
  return vocab;
}

// A token writing each single byte (Gemma's byte tokens), to feed the prefixes.
const std::vector<int32_t>& byte_tokens() {
  static const std::vector<int32_t> ids = [] {
    std::vector<int32_t> out(256, -1);
    auto vocab = gemma();
    for (size_t id = 0; id < vocab->size(); ++id)
      if (vocab->text(static_cast<int32_t>(id)).size() == 1)
        out[static_cast<unsigned char>(vocab->text(static_cast<int32_t>(id))[0])] = static_cast<int32_t>(id);
    return out;
  }();
  return ids;
}

const char* const kSchema = R"({"type": "object", "properties": {
    "title": {"type": "string"}, "summary": {"type": "string", "maxLength": 40}, "year": {"type": "integer"},
    "extra": {}}, "required": ["title", "year"]})";

void mask(benchmark::State& state, const char* prefix, int64_t budget) {
  if (!std::filesystem::exists(kGemma)) {
    state.SkipWithError("weights not present (scripts/fetch_models.py)");
    return;
  }
  auto vocab = gemma();
  auto grammar = structured::compile_schema(nlohmann::ordered_json::parse(kSchema));
  std::vector<float> row(vocab->size());
  for (auto _ : state) {
    state.PauseTiming();
    structured::JsonTokenConstraint c(grammar, vocab, budget);
    for (const char* p = prefix; *p; ++p) c.accept(byte_tokens()[static_cast<unsigned char>(*p)]);
    std::fill(row.begin(), row.end(), 0.0f);
    state.ResumeTiming();
    benchmark::DoNotOptimize(c.mask(row));
  }
}

// A record of 200 required properties, inside its first string with 1500 tokens left (about
// what the rest needs in Gemma's tokens): `warm` masks once before the timing, as every step
// after a request's first does.
void wide_record(benchmark::State& state, bool warm) {
  if (!std::filesystem::exists(kGemma)) {
    state.SkipWithError("weights not present (scripts/fetch_models.py)");
    return;
  }
  auto vocab = gemma();
  nlohmann::ordered_json props = nlohmann::ordered_json::object(), required = nlohmann::ordered_json::array();
  for (int i = 0; i < 200; ++i) {
    props["field_" + std::to_string(i)] = {{"type", i % 2 ? "integer" : "string"}};
    required.push_back("field_" + std::to_string(i));
  }
  auto grammar = structured::compile_schema({{"type", "object"}, {"properties", props}, {"required", required}});
  std::vector<float> row(vocab->size());
  for (auto _ : state) {
    state.PauseTiming();
    structured::JsonTokenConstraint c(grammar, vocab, 1500);
    for (const char* p = "{\"field_0\":\"ab"; *p; ++p) c.accept(byte_tokens()[static_cast<unsigned char>(*p)]);
    if (warm) c.mask(row);
    std::fill(row.begin(), row.end(), 0.0f);
    state.ResumeTiming();
    benchmark::DoNotOptimize(c.mask(row));
  }
}

}  // namespace

BENCHMARK_CAPTURE(wide_record, first_step, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(wide_record, next_steps, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, object_start, "", 1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, key, "{\"", 1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, after_colon_any_value, "{\"title\":\"a\",\"year\":1,\"extra\":", 1000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, string_text, "{\"title\":\"ab", 1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, bounded_string_text, "{\"title\":\"a\",\"summary\":\"ab", 1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, integer, "{\"title\":\"a\",\"year\":1", 1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask, string_text_tight_budget, "{\"title\":\"ab", 12)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
