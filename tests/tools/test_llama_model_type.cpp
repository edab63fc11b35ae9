// What llama.cpp calls a GGUF's model (tools/lmc/llama/llama_model_type.h), on metadata-only files:
// the architecture's size class from its depth and the further hyperparameter some depths
// need, "?B" where llama.cpp has none, and the file type's name.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/formats/gguf_file.h"
#include "tools/lmc/llama/llama_model_type.h"

namespace lmc::tools {
namespace {

// A GGUF v3 file with no tensors and these metadata: strings, or u32 numbers.
class MetadataFile {
 public:
  MetadataFile& str(const std::string& key, const std::string& value) {
    entry(key, 8);  // GGUF's string type
    text(value);
    return *this;
  }
  MetadataFile& num(const std::string& key, uint32_t value) {
    entry(key, 4);  // uint32
    put(value, 4);
    return *this;
  }
  std::unique_ptr<models::GgufFile> open() const {
    MetadataFile head;
    head.body_ = "GGUF";
    head.put(3, 4);
    head.put(0, 8);
    head.put(entries_, 8);
    auto path = std::filesystem::path(testing::TempDir()) / "meta.gguf";
    std::ofstream(path, std::ios::binary) << head.body_ + body_;
    return models::GgufFile::open(path.string());
  }

 private:
  std::string body_;
  uint64_t entries_ = 0;
  void put(uint64_t v, int bytes) { body_.append(reinterpret_cast<const char*>(&v), static_cast<size_t>(bytes)); }
  void text(const std::string& s) {
    put(s.size(), 8);
    body_ += s;
  }
  void entry(const std::string& key, uint32_t type) {
    ++entries_;
    text(key);
    put(type, 4);
  }
};

TEST(LlamaModelType, NamesTheModelAsLlamaCppDoes) {
  EXPECT_EQ("gemma3 270M Q4_K - Medium", llama_model_type(*MetadataFile()
                                                               .str("general.architecture", "gemma3")
                                                               .num("gemma3.block_count", 18)
                                                               .num("general.file_type", 15)
                                                               .open()));
  auto llama32 = [](uint32_t vocab) {
    return llama_model_type(*MetadataFile()
                                 .str("general.architecture", "llama")
                                 .num("llama.block_count", 32)
                                 .num("llama.vocab_size", vocab)
                                 .num("general.file_type", 7)
                                 .open());
  };
  EXPECT_EQ("llama 7B Q8_0", llama32(32000));
  EXPECT_EQ("llama 8B Q8_0", llama32(128256));
  EXPECT_EQ("llama 3B Q8_0", llama32(49152));
  EXPECT_EQ("qwen3 0.6B Q6_K", llama_model_type(*MetadataFile()
                                                     .str("general.architecture", "qwen3")
                                                     .num("qwen3.block_count", 28)
                                                     .num("qwen3.embedding_length", 1024)
                                                     .num("general.file_type", 18)
                                                     .open()));
  EXPECT_EQ("llama ?B Q8_0", llama_model_type(*MetadataFile()
                                                   .str("general.architecture", "llama")
                                                   .num("llama.block_count", 16)
                                                   .num("llama.expert_count", 8)
                                                   .num("general.file_type", 7)
                                                   .open()))
      << "eight experts: only the mixture rows";
  EXPECT_EQ("mamba ?B unknown, may not work",
            llama_model_type(*MetadataFile().str("general.architecture", "mamba").num("mamba.block_count", 7).open()));
}

TEST(LlamaModelType, FileTypeNames) {
  EXPECT_EQ("all F32", llama_ftype_name(0));
  EXPECT_EQ("Q4_K - Medium", llama_ftype_name(15));
  EXPECT_EQ("IQ4_XS - 4.25 bpw", llama_ftype_name(30));
  EXPECT_EQ("unknown, may not work", llama_ftype_name(4));  // a type llama.cpp removed
}

}  // namespace
}  // namespace lmc::tools
