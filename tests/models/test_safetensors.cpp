// The SafeTensors reader on files written by numpy (single and sharded, with config.json)
// and on files built in C++ with one defect each, which must end in an lmc::Error naming
// the file and the byte offset.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "expect_error.h"
#include "models/formats/safetensors_file.h"
#include "support/half.h"
#include "support/sanitizers.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

using test::expect_error;

TEST(SafeTensorsNumpy, SingleAndShardedModelsReadBack) {
  test::TempDir dir;
  ASSERT_TRUE(test::run_python("tests/models/make_safetensors.py '" + dir.path().string() + "'"));
  const auto single = SafeTensorsModel::open(dir.file("single"));
  const auto sharded = SafeTensorsModel::open(dir.file("sharded"));
  const auto by_index = SafeTensorsModel::open(dir.file("sharded/model.safetensors.index.json"));
  const auto by_file = SafeTensorsModel::open(dir.file("single/model.safetensors"));
  EXPECT_EQ(single->shard_paths().size(), 1u);
  EXPECT_EQ(sharded->shard_paths().size(), 2u);

  std::ifstream manifest(dir.file("expected.txt"));
  std::string line;
  size_t count = 0;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string name, dtype;
    fields >> name >> dtype;
    std::vector<int64_t> shape;
    for (int64_t d; fields >> d;) shape.push_back(d);
    const std::vector<float> want = test::read_floats(dir.file(name + ".f32"));
    for (const SafeTensorsModel* m : {single.get(), sharded.get(), by_index.get(), by_file.get()}) {
      SCOPED_TRACE(name);
      const SafeTensor* t = m->find(name);
      ASSERT_NE(t, nullptr);
      EXPECT_EQ(t->shape, shape);
      EXPECT_EQ(std::string(ir::dtype_name(t->dtype)), dtype == "F32" ? "f32" : dtype == "F16" ? "f16" : "bf16");
      EXPECT_EQ(t->numel(), int64_t(want.size()));
      const std::vector<float> got = m->to_f32(name);
      EXPECT_EQ(test::first_bit_difference(got.data(), want.data(), want.size()), -1);
    }
    ++count;
  }
  EXPECT_EQ(count, 4u);
  EXPECT_EQ(single->tensors().size(), count);
  EXPECT_EQ(sharded->tensors().size(), count);
  EXPECT_EQ(sharded->find("model.scale")->shard, 1u);

  for (const SafeTensorsModel* m : {single.get(), sharded.get()}) {
    EXPECT_EQ(m->config().size(), 4u);
    EXPECT_EQ(m->config_value("model_type").as_string(), "llama");
    EXPECT_EQ(m->config_value("hidden_size").as_int(), 6);
    EXPECT_EQ(m->config_value("rms_norm_eps").as_number(), 1e-05);
    EXPECT_TRUE(m->config_value("tie_word_embeddings").as_bool());
    expect_error([&] { m->config_value("vocab_size"); }, {"config.json", "vocab_size"});
  }
  expect_error([&] { single->to_f32("nope"); }, {"no tensor named 'nope'"});
}

// One tensor as the C++ writer lays it out.
struct Spec {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

std::string shape_json(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// Header placing the tensors back to back, in order.
std::string header_for(const std::vector<Spec>& specs) {
  std::string h = "{\"__metadata__\":{\"format\":\"pt\"}";
  size_t offset = 0;
  for (const Spec& s : specs) {
    h += ",\"" + s.name + "\":{\"dtype\":\"" + s.dtype + "\",\"shape\":" + shape_json(s.shape) + ",\"data_offsets\":[" +
         std::to_string(offset) + "," + std::to_string(offset + s.bytes.size()) + "]}";
    offset += s.bytes.size();
  }
  return h + "}";
}

std::vector<uint8_t> file_bytes(const std::string& header, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(8 + header.size() + data.size());
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::copy(header.begin(), header.end(), out.begin() + 8);
  std::copy(data.begin(), data.end(), out.begin() + 8 + long(header.size()));
  return out;
}

std::vector<uint8_t> file_bytes(const std::vector<Spec>& specs) {
  std::vector<uint8_t> data;
  for (const Spec& s : specs) data.insert(data.end(), s.bytes.begin(), s.bytes.end());
  return file_bytes(header_for(specs), data);
}

std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * 4);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

class SafeTensorsSynthetic : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = dir_.file(name);
    test::write_bytes(path, bytes);
    return path;
  }
  void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& what) {
    const std::string path = write("bad" + std::to_string(files_++) + ".safetensors", bytes);
    expect_error([&] { SafeTensorsModel::open(path); }, {path + ":offset ", ": error: ", what});
  }
  // A file whose header is `header` over 16 bytes of data.
  void expect_header_rejected(const std::string& header, const std::string& what) {
    SCOPED_TRACE(header);
    expect_rejected(file_bytes(header, std::vector<uint8_t>(16)), what);
  }
  test::TempDir dir_;
  int files_ = 0;
};

TEST_F(SafeTensorsSynthetic, ReadsAllDtypesWithoutConfig) {
  std::vector<uint8_t> f16(4), bf16(4);
  const uint16_t h[2] = {f32_to_f16(1.5f), f32_to_f16(-0.25f)};
  const uint16_t b[2] = {f32_to_bf16(3.0f), f32_to_bf16(-7.0f)};
  std::memcpy(f16.data(), h, 4);
  std::memcpy(bf16.data(), b, 4);
  // An odd header length leaves the data unaligned, which readers must tolerate.
  const std::string path = write("ok.safetensors", file_bytes({{"a", "F32", {3}, f32_bytes({1, 2, 3})},
                                                               {"b", "F16", {2, 1}, f16},
                                                               {"c", "BF16", {2}, bf16},
                                                               {"empty", "F32", {0, 4}, {}}}));
  const auto m = SafeTensorsModel::open(path);
  ASSERT_EQ(m->tensors().size(), 4u);
  EXPECT_EQ(m->to_f32("a"), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(m->to_f32("b"), (std::vector<float>{1.5f, -0.25f}));
  EXPECT_EQ(m->to_f32("c"), (std::vector<float>{3.0f, -7.0f}));
  EXPECT_TRUE(m->to_f32("empty").empty());
  EXPECT_EQ(m->find("a")->offset, 8 + header_for({{"a", "F32", {3}, f32_bytes({1, 2, 3})},
                                                  {"b", "F16", {2, 1}, f16},
                                                  {"c", "BF16", {2}, bf16},
                                                  {"empty", "F32", {0, 4}, {}}})
                                          .size());
  EXPECT_TRUE(m->config().empty());
  expect_error([&] { m->config_value("hidden_size"); }, {path, "no config.json"});
}

TEST_F(SafeTensorsSynthetic, RejectsBadFraming) {
  expect_rejected({1, 2, 3}, "too small");
  std::vector<uint8_t> long_header = file_bytes("{}", {});
  long_header[0] = 200;
  expect_rejected(long_header, "header length 200 runs past the end");
  std::vector<uint8_t> huge = file_bytes("{}", {});
  std::memset(huge.data(), 0xff, 8);
  expect_rejected(huge, "runs past the end");
  expect_rejected(file_bytes("{\"a\":", {}), "offset 13: error: unexpected end of input");
  expect_rejected(file_bytes("[]", {}), "expected an object, found an array");
}

TEST_F(SafeTensorsSynthetic, RejectsBadEntries) {
  const auto entry = [](const std::string& fields) { return "{\"w\":{" + fields + "}}"; };
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,100]"),
                         "data_offsets [0, 100] outside the 16-byte data section");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]"), "outside");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]"), "negative dimension");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]"),
                         "shape holds 6 values but data_offsets span 16 bytes");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]"),
                         "element count overflows");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]"),
                         "shape holds");  // numel * 4 wraps to 0 in 64 bits
  expect_header_rejected(entry("\"dtype\":\"Q9\",\"shape\":[2],\"data_offsets\":[0,8]"), "unsupported dtype 'Q9'");
  expect_header_rejected(entry("\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]"), "unsupported dtype 'I64'");
  expect_header_rejected(entry("\"shape\":[2],\"data_offsets\":[0,8]"), "missing key 'dtype'");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]"), "data_offsets needs 2 values");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]"), "expected an integer");
  expect_header_rejected(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1"), "unknown field 'x'");
  expect_header_rejected("{\"w\":3}", "expected an object, found an integer");
  expect_header_rejected(
      "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
      "duplicate key 'w'");
  expect_header_rejected(
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
      "tensor 'b' overlaps tensor 'a'");
}

// Two shards written in C++ (s1: x; s2: y, z) under the given index text.
class SafeTensorsShards : public SafeTensorsSynthetic {
 protected:
  std::string make(const std::string& index_json) {
    const std::filesystem::path sub = dir_.path() / ("model" + std::to_string(files_++));
    std::filesystem::create_directory(sub);
    test::write_bytes((sub / "s1.safetensors").string(), file_bytes({{"x", "F32", {2}, f32_bytes({1, 2})}}));
    test::write_bytes((sub / "s2.safetensors").string(),
                      file_bytes({{"y", "F32", {1}, f32_bytes({3})}, {"z", "F32", {1}, f32_bytes({4})}}));
    test::write_bytes((sub / "model.safetensors.index.json").string(), index_json.data(), index_json.size());
    return sub.string();
  }
};

TEST_F(SafeTensorsShards, IndexMustAccountForEveryTensor) {
  const auto m = SafeTensorsModel::open(
      make(R"({"weight_map": {"x": "s1.safetensors", "y": "s2.safetensors", "z": "s2.safetensors"}})"));
  EXPECT_EQ(m->to_f32("z"), (std::vector<float>{4}));
  EXPECT_EQ(m->find("x")->shard, 0u);

  std::string dir = make(R"({"weight_map": {"x": "s1.safetensors", "y": "s2.safetensors"}})");
  expect_error([&] { SafeTensorsModel::open(dir); },
               {dir + "/s2.safetensors:offset ", "tensor 'z' is not in the weight_map"});
  dir = make(R"({"weight_map": {"x": "s1.safetensors", "y": "s1.safetensors", "z": "s2.safetensors"}})");
  expect_error([&] { SafeTensorsModel::open(dir); },
               {dir + "/s2.safetensors:offset ", "tensor 'y' is mapped to shard 's1.safetensors'"});
  dir = make(R"({"weight_map": {"x": "s1.safetensors", "y": "s2.safetensors", "z": "s2.safetensors",
                                "w": "s1.safetensors"}})");
  expect_error([&] { SafeTensorsModel::open(dir); },
               {dir + "/model.safetensors.index.json:2:", "tensor 'w' is not in shard 's1.safetensors'"});
  dir = make(R"({"weight_map": {"x": "s2.safetensors", "y": "s2.safetensors", "z": "s2.safetensors"}})");
  expect_error([&] { SafeTensorsModel::open(dir); },
               {dir + "/model.safetensors.index.json:1:", "tensor 'x' is not in shard 's2.safetensors'"});
  dir = make(R"({"weight_map": {"x": "../s1.safetensors"}})");
  expect_error([&] { SafeTensorsModel::open(dir); }, {"index.json:1:", "not a plain file name"});
  dir = make(R"({"weight_map": {"x": "s3.safetensors"}})");
  expect_error([&] { SafeTensorsModel::open(dir); }, {"s3.safetensors", "cannot open"});
  dir = make(R"({"metadata": {}})");
  expect_error([&] { SafeTensorsModel::open(dir); }, {"index.json:1:1: error: missing key 'weight_map'"});
}

// An index naming one tensor its shard lacks (sorted last), among a million that are there. Finding
// the missing one by scanning the tensor list per entry took 17 s at 100k tensors and
// would take half an hour here; a set of the names found makes it one pass.
TEST_F(SafeTensorsShards, MissingTensorAmongManyIsFoundInOnePass) {
  // A million names; a tenth of them under AddressSanitizer, which makes the pass 10x slower
  // (and one quadratic in the names would still run for hours).
  constexpr int kTensors = LMC_ADDRESS_SANITIZER ? 100000 : 1000000;
  std::string header = "{", index = R"({"weight_map": {"zz_missing": "s.safetensors")";
  for (int i = 0; i < kTensors; ++i) {
    const std::string name = "t" + std::to_string(i);
    header += (i ? ",\"" : "\"") + name + R"(":{"dtype":"F32","shape":[0],"data_offsets":[0,0]})";
    index += ",\"" + name + R"(":"s.safetensors")";
  }
  header += "}";
  index += "}}";
  const std::filesystem::path sub = dir_.path() / "million";
  std::filesystem::create_directory(sub);
  std::string shard(8, '\0');
  const uint64_t len = header.size();
  std::memcpy(shard.data(), &len, sizeof len);
  shard += header;
  test::write_bytes((sub / "s.safetensors").string(), shard.data(), shard.size());
  test::write_bytes((sub / "model.safetensors.index.json").string(), index.data(), index.size());
  expect_error([&] { SafeTensorsModel::open(sub.string()); },
               {"model.safetensors.index.json:1:", "tensor 'zz_missing' is not in shard 's.safetensors'"});
}

TEST_F(SafeTensorsShards, MovesBetweenShardsAreCaught) {
  // Both shards hold 'x': whichever the index does not name reports it.
  const std::filesystem::path sub = dir_.path() / "dup";
  std::filesystem::create_directory(sub);
  test::write_bytes((sub / "s1.safetensors").string(), file_bytes({{"x", "F32", {1}, f32_bytes({1})}}));
  test::write_bytes((sub / "s2.safetensors").string(), file_bytes({{"x", "F32", {1}, f32_bytes({2})}}));
  const std::string index = R"({"weight_map": {"x": "s1.safetensors", "w": "s2.safetensors"}})";
  test::write_bytes((sub / "model.safetensors.index.json").string(), index.data(), index.size());
  expect_error([&] { SafeTensorsModel::open(sub.string()); },
               {"s2.safetensors:offset ", "tensor 'x' is mapped to shard 's1.safetensors'"});
}

// Random byte corruption either still parses (then every tensor reads within bounds) or
// is an lmc::Error naming the file; anything else fails.
TEST_F(SafeTensorsSynthetic, RandomCorruptionIsReadSafelyOrRejected) {
  const std::vector<uint8_t> whole =
      file_bytes({{"a", "F32", {3}, f32_bytes({1, 2, 3})}, {"b", "BF16", {2, 2}, std::vector<uint8_t>(8)}});
  std::mt19937 rng(9);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> bytes = whole;
    const int flips = 1 + int(rng() % 3);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = uint8_t(rng());
    const std::string path = write("fuzz" + std::to_string(trial) + ".safetensors", bytes);
    try {
      const auto m = SafeTensorsModel::open(path);
      for (const SafeTensor& t : m->tensors()) m->to_f32(t.name);
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(path + ":offset "), std::string::npos) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
}

TEST_F(SafeTensorsSynthetic, DirectoryWithoutWeightsIsAnError) {
  expect_error([&] { SafeTensorsModel::open(dir_.path().string()); },
               {dir_.path().string(), "neither model.safetensors.index.json nor model.safetensors"});
}

}  // namespace
}  // namespace lmc::models
