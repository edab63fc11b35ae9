// Every reader of an input lmc is given does work in proportion to that input: reading
// twice the input costs twice the allocations (tests/models/allocation_counter.h), not
// four times. One test per reader — GGUF, SafeTensors, IR text, model YAML,
// tokenizer.json — each on a synthetic input of N and 2N entries of the kind a hostile
// file multiplies (metadata keys, tensors, ops, statements, tokens, merges, special
// tokens), and each also checks the structure it read, so the count is of a real read.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "ir/parser.h"
#include "ir/verifier.h"
#include "models/formats/gguf_file.h"
#include "models/formats/safetensors_file.h"
#include "models/model_def.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_json.h"
#include "tests/models/allocation_counter.h"
#include "tests/models/gguf_writer.h"
#include "tests/models/temp_dir.h"

namespace lmc {
namespace {

// Linear growth doubles the count; a quadratic step would make it 4x at these sizes, so
// 2.3x leaves room for containers' constant parts and a hash table's one extra rehash.
constexpr double kMaxGrowth = 2.3;
constexpr double kMinGrowth = 1.7;  // below this the count is not measuring the input

// `read(n)` writes an input of n entries (not counted) and returns the allocations made
// reading it. Checks that 2n entries cost about twice what n do.
void expect_linear(const std::function<test::Allocations(int)>& read, int n) {
  read(n / 4);  // first-use work (static tables, locale) is not the reader's growth
  const test::Allocations one = read(n), two = read(2 * n);
  SCOPED_TRACE("n=" + std::to_string(n) + ": " + std::to_string(one.calls) + " allocations, " +
               std::to_string(one.bytes) + " bytes; 2n: " + std::to_string(two.calls) + ", " +
               std::to_string(two.bytes));
  EXPECT_LE(two.calls, kMaxGrowth * one.calls);
  EXPECT_GE(two.calls, kMinGrowth * one.calls);
  EXPECT_LE(two.bytes, kMaxGrowth * one.bytes);
}

class ReaderScaling : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    test::write_bytes(path, text.data(), text.size());
    return path;
  }
  test::TempDir dir_;
};

// n string metadata keys and n four-float tensors.
std::vector<uint8_t> gguf_of_size(int n) {
  test::GgufWriter w;
  w.header(n, n);
  for (int i = 0; i < n; ++i) w.key("key." + std::to_string(i), test::kString).str("value " + std::to_string(i));
  for (int i = 0; i < n; ++i) w.tensor_info("t" + std::to_string(i), {4}, 0 /* F32 */, uint64_t(i) * 32);
  w.pad_to(32);
  w.bytes.resize(w.bytes.size() + size_t(n) * 32);
  return w.bytes;
}

TEST_F(ReaderScaling, GgufMetadataAndTensors) {
  expect_linear(
      [&](int n) {
        const std::string path = dir_.file("m.gguf");
        test::write_bytes(path, gguf_of_size(n));
        return test::count_allocations([&] {
          auto f = models::GgufFile::open(path);
          ASSERT_EQ(f->tensors().size(), size_t(n));
          ASSERT_EQ(f->metadata().size(), size_t(n));
        });
      },
      20000);
}

// n one-float tensors.
std::string safetensors_of_size(int n) {
  std::string header = "{";
  for (int i = 0; i < n; ++i)
    header += (i ? ",\"t" : "\"t") + std::to_string(i) + R"(":{"dtype":"F32","shape":[1],"data_offsets":[)" +
              std::to_string(4 * i) + "," + std::to_string(4 * i + 4) + "]}";
  header += "}";
  std::string file(8, '\0');
  const uint64_t len = header.size();
  std::memcpy(file.data(), &len, sizeof len);
  return file + header + std::string(size_t(n) * 4, '\0');
}

TEST_F(ReaderScaling, SafeTensorsHeader) {
  expect_linear(
      [&](int n) {
        const std::string path = write("m.safetensors", safetensors_of_size(n));
        return test::count_allocations([&] {
          auto m = models::SafeTensorsModel::open(path);
          ASSERT_EQ(m->tensors().size(), size_t(n));
          ASSERT_NE(m->find("t" + std::to_string(n - 1)), nullptr);
        });
      },
      20000);
}

// A chain of n adds, parsed and verified (cycle search and shape rules included).
std::string ir_of_size(int n) {
  std::string text = "graph @g(%x: f32[T,64]) {\n  %a0 = add %x, %x : f32[T,64]\n";
  for (int i = 1; i < n; ++i)
    text += "  %a" + std::to_string(i) + " = add %a" + std::to_string(i - 1) + ", %x : f32[T,64]\n";
  return text + "  return %a" + std::to_string(n - 1) + "\n}\n";
}

TEST_F(ReaderScaling, IrParserAndVerifier) {
  expect_linear(
      [&](int n) {
        const std::string text = ir_of_size(n);
        return test::count_allocations([&] {
          auto g = ir::parse(text, "g.lir");
          ir::verify(*g, "g.lir");
          ASSERT_EQ(g->ops().size(), size_t(n));
        });
      },
      5000);
}

// A model definition whose block has n statements.
std::string model_yaml_of_size(int n) {
  std::string text =
      "name: m\nweights: m.gguf\ntokenizer: gguf\ncontext: 64\nprologue:\n"
      "  - x = embedding(@\"token_embd.weight\", tokens)\nblock:\n";
  for (int i = 0; i < n; ++i) text += "  - x = add(x, x)\n";
  return text + "epilogue:\n  - logits = linear(x, @\"token_embd.weight\")\noutputs: [logits]\n";
}

TEST_F(ReaderScaling, ModelYaml) {
  expect_linear(
      [&](int n) {
        const std::string path = write("m.yaml", model_yaml_of_size(n));
        return test::count_allocations([&] { ASSERT_EQ(models::read_model_def(path).block.size(), size_t(n)); });
      },
      2000);
}

// A byte-level BPE with n tokens p<i>, n tokens p<i>x made by n merges "p<i> x", and n
// special tokens <s<i>> (the special-token matcher is built over all of them).
std::string tokenizer_json_of_size(int n) {
  std::string vocab = R"("x": 0)", merges, added;
  for (int i = 0; i < n; ++i) {
    const std::string p = "p" + std::to_string(i), s = "<s" + std::to_string(i) + ">";
    const std::string id = std::to_string(1 + 3 * i);
    vocab += ",\"" + p + "\": " + id + ",\"" + p + "x\": " + std::to_string(2 + 3 * i) + ",\"" + s +
             "\": " + std::to_string(3 + 3 * i);
    merges += std::string(i ? "," : "") + "\"" + p + " x\"";
    added += std::string(i ? "," : "") + R"({"id": )" + std::to_string(3 + 3 * i) + R"(, "content": ")" + s +
             R"(", "special": true})";
  }
  return R"({"added_tokens": [)" + added +
         R"(], "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},)"
         R"( "model": {"type": "BPE", "vocab": {)" +
         vocab + "}, \"merges\": [" + merges + "]}}";
}

TEST_F(ReaderScaling, TokenizerJson) {
  expect_linear(
      [&](int n) {
        const std::string path = write("tokenizer.json", tokenizer_json_of_size(n));
        return test::count_allocations([&] {
          auto t = models::Tokenizer::create(models::tokenizer_vocab_from_json(path));
          ASSERT_EQ(t->size(), size_t(3 * n + 1));
        });
      },
      5000);
}

}  // namespace
}  // namespace lmc
