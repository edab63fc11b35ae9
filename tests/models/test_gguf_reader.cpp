// The GGUF reader on the two real model files, checked against gguf-py (the Python reader
// maintained with llama.cpp): every tensor's directory entry, every metadata value, and
// the dequantized values of one tensor of each type the files hold.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "expect_error.h"
#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/formats/json.h"
#include "models/quant/dequantize.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

using test::expect_error;
using test::TempDir;

std::string weights(const std::string& name) { return std::string(LMC_SOURCE_DIR) + "/models/weights/" + name; }

const char* const kGemma = "gemma-3-270m-q4_k_m.gguf";
const char* const kSmol = "SmolLM2-135M-Instruct.Q4_1.gguf";

void check_directory(const GgufFile& file, const TempDir& ref) {
  std::ifstream in(ref.file("tensors.txt"));
  std::string line;
  size_t count = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    uint32_t type;
    uint64_t offset, nbytes;
    fields >> name >> type >> offset >> nbytes;
    std::vector<int64_t> shape;
    for (int64_t d; fields >> d;) shape.push_back(d);
    const GgufTensor* t = file.find_tensor(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(uint32_t(t->type), type) << name;
    EXPECT_EQ(t->offset, offset) << name;
    EXPECT_EQ(t->nbytes, nbytes) << name;
    EXPECT_EQ(t->shape, shape) << name;
    EXPECT_EQ(&file.tensors()[count], t) << "directory order differs at " << name;
    ++count;
  }
  EXPECT_EQ(count, file.tensors().size());
}

// Compares one metadata value with gguf-py's JSON rendering of it; `type` is gguf-py's
// name of the GGUF value type.
void expect_same(const MetaValue& m, const std::string& type, const json::Value& want, const std::string& key) {
  if (type == "STRING") {
    ASSERT_TRUE(std::holds_alternative<std::string>(m.v)) << key;
    EXPECT_EQ(std::get<std::string>(m.v), want.as_string()) << key;
  } else if (type == "BOOL") {
    ASSERT_TRUE(std::holds_alternative<bool>(m.v)) << key;
    EXPECT_EQ(std::get<bool>(m.v), want.as_bool()) << key;
  } else if (type == "FLOAT32" || type == "FLOAT64") {
    ASSERT_TRUE(std::holds_alternative<double>(m.v)) << key;
    EXPECT_EQ(std::get<double>(m.v), want.as_number()) << key;
  } else if (type.rfind("UINT", 0) == 0) {
    ASSERT_TRUE(std::holds_alternative<uint64_t>(m.v)) << key;
    EXPECT_EQ(std::get<uint64_t>(m.v), uint64_t(want.as_int())) << key;
  } else if (type.rfind("INT", 0) == 0) {
    ASSERT_TRUE(std::holds_alternative<int64_t>(m.v)) << key;
    EXPECT_EQ(std::get<int64_t>(m.v), want.as_int()) << key;
  } else {
    FAIL() << key << ": unexpected type " << type;
  }
}

void check_metadata(const GgufFile& file, const TempDir& ref) {
  const json::Document doc = json::Document::read_file(ref.file("metadata.json"));
  const json::Object& keys = doc.root().as_object();
  EXPECT_EQ(keys.size(), file.metadata().size());
  for (const json::Member& k : keys) {
    const MetaValue* m = file.find(k.key);
    ASSERT_NE(m, nullptr) << k.key;
    const std::string& type = k.value.at("type").as_string();
    const json::Value& want = k.value.at("value");
    if (type != "ARRAY") {
      expect_same(*m, type, want, k.key);
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<MetaArray>(m->v)) << k.key;
    const MetaArray& items = std::get<MetaArray>(m->v);
    const json::Array& wanted = want.as_array();
    ASSERT_EQ(items.size(), wanted.size()) << k.key;
    const std::string& elem = k.value.at("elem").as_string();
    for (size_t i = 0; i < items.size(); ++i)
      expect_same(items[i], elem, wanted[i], k.key + "[" + std::to_string(i) + "]");
  }
}

void check_dequantization(const GgufFile& file, const TempDir& ref) {
  std::ifstream in(ref.file("dequant.txt"));
  uint32_t type;
  std::string name, values_file;
  int64_t count;
  int checked = 0;
  while (in >> type >> name >> count >> values_file) {
    const GgufTensor* t = file.find_tensor(name);
    ASSERT_NE(t, nullptr) << name;
    ASSERT_EQ(uint32_t(t->type), type);
    const std::vector<float> want = test::read_floats(ref.file(values_file));
    ASSERT_EQ(int64_t(want.size()), count);
    std::vector<float> got;
    if (count == t->numel()) {
      got = file.to_f32(*t);
    } else {  // a prefix of whole blocks of a huge tensor
      got.resize(size_t(count));
      dequantize_row(t->type, file.data(*t), got.data(), count);
    }
    ASSERT_EQ(got.size(), want.size());
    const int64_t diff = test::first_bit_difference(got.data(), want.data(), want.size());
    EXPECT_EQ(diff, -1) << ggml_type_name(t->type) << " tensor " << name << " value " << diff << ": "
                        << got[size_t(std::max<int64_t>(diff, 0))] << " vs "
                        << want[size_t(std::max<int64_t>(diff, 0))];
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// gguf-py's reader takes a minute on the Gemma file, so one test per file runs it once
// and makes all three comparisons.
class RealGguf : public ::testing::TestWithParam<const char*> {};

TEST_P(RealGguf, MatchesGgufPy) {
  const std::string path = weights(GetParam());
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "weights not downloaded: " << path;
  const auto file = GgufFile::open(path);
  TempDir ref;
  ASSERT_TRUE(
      test::run_python("tests/reference/dequant_reference.py file '" + path + "' '" + ref.path().string() + "'"));
  {
    SCOPED_TRACE("tensor directory");
    check_directory(*file, ref);
  }
  {
    SCOPED_TRACE("metadata");
    check_metadata(*file, ref);
  }
  {
    SCOPED_TRACE("dequantization");
    check_dequantization(*file, ref);
  }
}

INSTANTIATE_TEST_SUITE_P(Weights, RealGguf, ::testing::Values(kGemma, kSmol),
                         [](const auto& info) { return std::string(info.param == kGemma ? "Gemma3" : "SmolLM2"); });

class GemmaGguf : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(weights(kGemma))) GTEST_SKIP() << "weights not downloaded";
    file_ = GgufFile::open(weights(kGemma));
  }
  std::unique_ptr<GgufFile> file_;
};

TEST_F(GemmaGguf, DirectoryFactsAsGgufPyReportsThem) {
  EXPECT_EQ(file_->version(), 3u);
  EXPECT_EQ(file_->tensors().size(), 236u);
  EXPECT_EQ(file_->alignment(), 32u);
  const GgufTensor* embd = file_->find_tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->type, GgmlType::Q8_0);
  EXPECT_EQ(embd->shape, (std::vector<int64_t>{262144, 640}));
  EXPECT_EQ(embd->offset, 6527680u);
  EXPECT_EQ(embd->nbytes, 178257920u);
  EXPECT_EQ(file_->find_tensor("blk.0.attn_k.weight")->shape, (std::vector<int64_t>{256, 640}));
  EXPECT_EQ(file_->find_tensor("output_norm.weight")->shape, (std::vector<int64_t>{640}));
  EXPECT_EQ(file_->find_tensor("no.such.tensor"), nullptr);
}

TEST_F(GemmaGguf, TypedGetters) {
  EXPECT_EQ(file_->get_string("general.architecture"), "gemma3");
  EXPECT_EQ(file_->get_int("gemma3.block_count"), 18);
  EXPECT_EQ(file_->get_int("gemma3.embedding_length"), 640);
  EXPECT_EQ(file_->get_float("gemma3.attention.layer_norm_rms_epsilon"), double(1e-6f));
  EXPECT_EQ(file_->get_float("gemma3.block_count"), 18.0);  // integers widen
  const std::vector<std::string> tokens = file_->get_strings("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 262144u);
  EXPECT_EQ(tokens[2], "<bos>");
  EXPECT_EQ(file_->get_floats("tokenizer.ggml.scores").size(), 262144u);
  EXPECT_EQ(file_->get_ints("tokenizer.ggml.token_type").size(), 262144u);
  EXPECT_EQ(file_->get_strings("general.tags"),
            (std::vector<std::string>{"gemma3", "gemma", "google", "text-generation"}));
}

TEST_F(GemmaGguf, GetterErrorsNameFileKeyAndOffset) {
  const std::string path = weights(kGemma);
  expect_error([&] { file_->get_string("gemma3.block_count"); },
               {path + ":offset ", "gemma3.block_count", "expected a string"});
  expect_error([&] { file_->get_int("general.architecture"); }, {path + ":offset ", "expected an int64"});
  expect_error([&] { file_->get_ints("tokenizer.ggml.tokens"); }, {path + ":offset ", "element 0 is a string"});
  expect_error([&] { file_->get_strings("gemma3.block_count"); }, {"expected an array"});
  expect_error([&] { file_->get_int("no.such.key"); }, {path, "no.such.key", "missing"});
}

TEST_F(GemmaGguf, ToF32RejectsTensorsNotFromThisFile) {
  GgufTensor forged = *file_->find_tensor("output_norm.weight");
  forged.shape = {1 << 20};
  expect_error([&] { file_->to_f32(forged); }, {weights(kGemma) + ":offset ", "not in the directory"});
}

}  // namespace
}  // namespace lmc::models
