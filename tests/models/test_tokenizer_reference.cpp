// The real Gemma 3 and SmolLM2 tokenizers against an independent implementation:
// tests/reference/tokenize_reference.py builds an HF `tokenizers` tokenizer from the same
// GGUF (and, for Gemma, cross-checks it against a naive SentencePiece merge loop). Every
// tricky string of test_tokenizer_cases.json (its common and hostile sets and the model's
// own) must give the same ids, decode back to itself, and give the same ids again through
// the tokenizer.json the script saves.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/formats/json.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "models/tokenizer/tokenizer_from_json.h"
#include "models/tokenizer/tokenizer_stream_decoder.h"
#include "models/tokenizer/tokenizer_unicode.h"

namespace lmc::models {
namespace {

using Ids = std::vector<int32_t>;

struct Model {
  const char* name;
  const char* weights;  // under models/weights/
  const char* case_sets;
};

// Names the parameter in test listings instead of dumping its bytes.
void PrintTo(const Model& m, std::ostream* os) { *os << m.name; }

const Model kGemma{"gemma3", "gemma-3-270m-q4_k_m.gguf", "common,hostile,gemma"};
const Model kSmolLm{"smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "common,hostile,smollm"};

std::string weights_path(const Model& m) { return std::string(LMC_SOURCE_DIR) + "/models/weights/" + m.weights; }

std::vector<Ids> id_lists(const json::Value& v) {
  std::vector<Ids> out;
  for (const json::Value& list : v.as_array()) {
    Ids ids;
    for (const json::Value& id : list.as_array()) ids.push_back(static_cast<int32_t>(id.as_int()));
    out.push_back(ids);
  }
  return out;
}

// What the reference script said about one model.
struct Reference {
  std::string skip_reason;
  std::filesystem::path dir;  // reference.json and the saved tokenizer.json
  std::vector<std::string> texts;
  std::vector<Ids> ids, ids_no_special;
  std::unique_ptr<Tokenizer> from_gguf;
};

const std::filesystem::path kScript = std::filesystem::path(LMC_SOURCE_DIR) / "tests/reference/tokenize_reference.py";
const std::filesystem::path kCases = std::filesystem::path(LMC_SOURCE_DIR) / "tests/models/test_tokenizer_cases.json";

// ctest runs every test in a process of its own; the Gemma reference takes seconds, so its
// output is kept in the build tree until the script or the cases change.
bool is_fresh(const std::filesystem::path& dir) {
  std::error_code ec;
  auto made = std::filesystem::last_write_time(dir / "reference.json", ec);
  return !ec && made >= std::filesystem::last_write_time(kScript) && made >= std::filesystem::last_write_time(kCases);
}

// Returns the script's exit status. Writes into a private directory first and renames it
// into place, so tests running in parallel never see half-written files.
int generate(const Model& m, const std::filesystem::path& dir) {
  std::filesystem::path scratch = dir.string() + ".tmp" + std::to_string(getpid());
  std::filesystem::create_directories(scratch);
  const std::string cmd = std::string(LMC_PYTHON) + " " + kScript.string() + " " + weights_path(m) + " " +
                          kCases.string() + " " + m.case_sets + " --save-json " + scratch.string() + " > " +
                          (scratch / "reference.json").string();
  int status = std::system(cmd.c_str());
  std::error_code ec;
  if (status == 0) {
    std::filesystem::remove_all(dir, ec);
    std::filesystem::rename(scratch, dir, ec);
  }
  std::filesystem::remove_all(scratch, ec);
  return status;
}

Reference run_reference(const Model& m) {
  Reference r;
  if (!std::filesystem::exists(weights_path(m))) {
    r.skip_reason = weights_path(m) + " is absent";
    return r;
  }
  r.dir = std::filesystem::path(LMC_BINARY_DIR) / "tokenizer_reference" / m.name;
  if (!is_fresh(r.dir)) {
    int status = generate(m, r.dir);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
      r.skip_reason = "python3 lacks the tokenizers package";
      return r;
    }
    if (status != 0) throw std::runtime_error("tests/reference/tokenize_reference.py failed for " + weights_path(m));
  }
  json::Document doc = json::Document::read_file((r.dir / "reference.json").string());
  for (const json::Value& t : doc.root().at("texts").as_array()) r.texts.push_back(t.as_string());
  r.ids = id_lists(doc.root().at("ids"));
  r.ids_no_special = id_lists(doc.root().at("ids_no_special"));
  r.from_gguf = Tokenizer::create(tokenizer_vocab_from_gguf(*GgufFile::open(weights_path(m))));
  return r;
}

const Reference& reference(const Model& m) {
  static std::map<std::string, Reference> cache;
  auto it = cache.find(m.name);
  if (it == cache.end()) it = cache.emplace(m.name, run_reference(m)).first;
  return it->second;
}

class TokenizerReference : public ::testing::TestWithParam<Model> {
 protected:
  void SetUp() override {
    ref_ = &reference(GetParam());
    if (!ref_->skip_reason.empty()) GTEST_SKIP() << ref_->skip_reason;
  }
  const Tokenizer& tok() const { return *ref_->from_gguf; }
  const Reference* ref_ = nullptr;
};

void expect_same_ids(const Tokenizer& t, const Reference& r, const std::vector<Ids>& expected, bool parse_special) {
  ASSERT_EQ(r.texts.size(), expected.size());
  for (size_t i = 0; i < r.texts.size(); ++i)
    EXPECT_EQ(t.encode(r.texts[i], false, parse_special), expected[i]) << "text: '" << r.texts[i] << "'";
}

TEST_P(TokenizerReference, EncodesLikeTheReference) { expect_same_ids(tok(), *ref_, ref_->ids, true); }

TEST_P(TokenizerReference, EncodesLikeTheReferenceWithoutSpecialParsing) {
  expect_same_ids(tok(), *ref_, ref_->ids_no_special, false);
}

TEST_P(TokenizerReference, DecodeInvertsEncode) {
  for (const std::string& text : ref_->texts) {
    EXPECT_EQ(tok().decode(tok().encode(text, false)), text);
    EXPECT_EQ(tok().decode(tok().encode(text, false, false)), text);
  }
}

TEST_P(TokenizerReference, StreamingGivesTheDecodedText) {
  for (const std::string& text : ref_->texts) {
    StreamDecoder stream(tok());
    std::string streamed;
    for (int32_t id : tok().encode(text, false)) {
      std::string piece = stream.push(id);
      EXPECT_EQ(utf8_complete_prefix(piece), piece.size()) << "split character in '" << text << "'";
      streamed += piece;
    }
    streamed += stream.flush();
    EXPECT_EQ(streamed, text);
  }
}

TEST_P(TokenizerReference, SavedTokenizerJsonEncodesAlike) {
  auto from_json = Tokenizer::create(tokenizer_vocab_from_json((ref_->dir / "tokenizer.json").string()));
  EXPECT_EQ(from_json->size(), tok().size());
  EXPECT_EQ(from_json->bos(), tok().bos());
  EXPECT_EQ(from_json->eos(), tok().eos());
  EXPECT_EQ(from_json->wants_bos(), tok().wants_bos());
  expect_same_ids(*from_json, *ref_, ref_->ids, true);
  expect_same_ids(*from_json, *ref_, ref_->ids_no_special, false);
}

INSTANTIATE_TEST_SUITE_P(Models, TokenizerReference, ::testing::Values(kGemma, kSmolLm),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TokenizerGemma3, SpecialTokensAndBos) {
  const Reference& r = reference(kGemma);
  if (!r.skip_reason.empty()) GTEST_SKIP() << r.skip_reason;
  const Tokenizer& t = *r.from_gguf;
  EXPECT_EQ(t.size(), 262144u);
  EXPECT_EQ(t.bos(), 2);
  EXPECT_EQ(t.eos(), 1);
  EXPECT_TRUE(t.wants_bos());
  EXPECT_EQ(t.find("<start_of_turn>"), 105);
  EXPECT_TRUE(t.is_eog(1));
  EXPECT_TRUE(t.is_eog(106));  // <end_of_turn>
  EXPECT_FALSE(t.is_eog(105));
  Ids ids = t.encode("Hi", true);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0], 2);
}

TEST(TokenizerSmolLm2, SpecialTokensAndBos) {
  const Reference& r = reference(kSmolLm);
  if (!r.skip_reason.empty()) GTEST_SKIP() << r.skip_reason;
  const Tokenizer& t = *r.from_gguf;
  EXPECT_EQ(t.size(), 49152u);
  EXPECT_EQ(t.eos(), 2);  // <|im_end|>
  EXPECT_FALSE(t.wants_bos());
  EXPECT_TRUE(t.is_eog(0));  // <|endoftext|>
  EXPECT_TRUE(t.is_eog(2));
  EXPECT_FALSE(t.is_eog(1));  // <|im_start|>
  EXPECT_EQ(t.encode("<|im_start|>", false), (Ids{1}));
}

}  // namespace
}  // namespace lmc::models
