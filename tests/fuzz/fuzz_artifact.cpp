// Artifacts, as `lmc run` loads them (everything but the kernels' object code, which
// LLVM's loader reads only from sealed artifacts, and the seal, an HMAC of bytes the
// reader has already bounds-checked). Two kinds of input:
//  - a whole file ("LMCARTF1..."): header, section table, layout, digests, manifest and
//    weight index checks, the weights' digests, then the IR and tokenizer sections read as
//    `lmc run` reads them;
//  - otherwise, the sections' contents without the framing, separated by kSeparator
//    (manifest, weight index, tokenizer, IR): every section has a digest, so mutating a
//    whole file almost never gets past the digest checks, and this reaches the section
//    readers directly.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/parser.h"
#include "ir/verifier.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_io.h"
#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_manifest.h"
#include "runtime/artifact/artifact_weight_index.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

constexpr std::string_view kMagic = "LMCARTF1";
constexpr std::string_view kSeparator = "\n%%%%\n";
constexpr uint64_t kWeightsSectionBytes = uint64_t{1} << 20;

void read_ir(std::string_view text, const std::string& where) {
  auto g = lmc::ir::parse(text, where);
  lmc::ir::verify(*g, where);
}

void read_tokenizer(std::string_view bytes, const std::string& where) {
  auto tok = lmc::models::Tokenizer::create(lmc::models::deserialize_vocab(bytes, where));
  tok->decode(tok->encode("Hello, world! 123 caf\xC3\xA9", tok->wants_bos()));
}

// Each step is independent: an error in one section must not hide a crash in the next.
template <class F>
void attempt(F&& f) {
  try {
    f();
  } catch (const lmc::Error&) {
  }
}

void read_file(std::string_view bytes) {
  auto path = lmc::fuzz::write_input("fuzz.lmc", bytes);
  std::unique_ptr<lmc::runtime::Artifact> a;
  try {
    a = lmc::runtime::Artifact::open(path);
  } catch (const lmc::Error&) {
    return;
  }
  attempt([&] { a->verify_weights(); });
  attempt([&] { read_ir(a->section("ir"), path + ":ir"); });
  attempt([&] { read_tokenizer(a->section("tokenizer"), path); });
  for (const auto& w : a->weight_index()) a->weights().get(w.name);
}

void read_sections(std::string_view bytes) {
  std::vector<std::string_view> parts;
  for (size_t at; (at = bytes.find(kSeparator)) != std::string_view::npos && parts.size() < 3;) {
    parts.push_back(bytes.substr(0, at));
    bytes.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(bytes);
  parts.resize(4);
  attempt([&] {
    auto kv = lmc::runtime::parse_manifest(parts[0], "fuzz.lmc:manifest");
    lmc::runtime::decode_manifest(kv, "fuzz.lmc:manifest");
  });
  attempt([&] { lmc::runtime::decode_weight_index(parts[1], kWeightsSectionBytes, "fuzz.lmc:weight_index"); });
  attempt([&] { read_tokenizer(parts[2], "fuzz.lmc"); });
  attempt([&] { read_ir(parts[3], "fuzz.lmc:ir"); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = lmc::fuzz::as_text(data, size);
  if (bytes.starts_with(kMagic))
    read_file(bytes);
  else
    read_sections(bytes);
  return 0;
}
