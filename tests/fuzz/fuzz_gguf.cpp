// GGUF files, as `lmc compile`, `lmc inspect` and the tokenizer loader read them: the
// directory and metadata, every typed getter, dequantization of the (small) tensors, the
// vision tower an mmproj describes, and the vocabulary a GGUF carries, encoded and decoded.
#include <cstdint>
#include <string>

#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "models/vision/mmproj.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using lmc::models::GgufFile;

// Dequantizing is linear in the element count; bigger tensors only cost time.
constexpr int64_t kMaxDequantized = int64_t{1} << 16;

void read_metadata(const GgufFile& f) {
  for (const auto& [key, value] : f.metadata()) {
    for (auto get : {+[](const GgufFile& g, const std::string& k) { g.get_int(k); },
                     +[](const GgufFile& g, const std::string& k) { g.get_float(k); },
                     +[](const GgufFile& g, const std::string& k) { g.get_string(k); },
                     +[](const GgufFile& g, const std::string& k) { g.get_strings(k); },
                     +[](const GgufFile& g, const std::string& k) { g.get_floats(k); },
                     +[](const GgufFile& g, const std::string& k) { g.get_ints(k); }}) {
      try {
        get(f, key);
      } catch (const lmc::Error&) {
      }
    }
  }
}

void read_tensors(const GgufFile& f) {
  for (const auto& t : f.tensors()) {
    if (t.numel() > kMaxDequantized) continue;
    try {
      f.to_f32(t);
    } catch (const lmc::Error&) {
    }
  }
}

void read_mmproj(const std::string& path) {
  try {
    lmc::models::MmprojFile::open(path);
  } catch (const lmc::Error&) {
  }
}

void use_vocab(const GgufFile& f) {
  auto tok = lmc::models::Tokenizer::create(lmc::models::tokenizer_vocab_from_gguf(f));
  auto ids = tok->encode("Hello, world! <s> 123 \xE2\x96\x81\xF0\x9F\x98\x80", true);
  tok->decode(ids);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const std::string path = lmc::fuzz::write_input("fuzz.gguf", lmc::fuzz::as_text(data, size));
    auto f = GgufFile::open(path);
    read_metadata(*f);
    read_tensors(*f);
    read_mmproj(path);
    use_vocab(*f);
  } catch (const lmc::Error&) {
  }
  return 0;
}
