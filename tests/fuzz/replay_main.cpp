// A fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput once on every file named
// (directories recursively). Every build links the targets with it, so the seed corpus
// and the regression inputs of past crashes replay under ctest — and under the sanitizer
// build — even where clang's libFuzzer is not used.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p = argv[i];
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) replay(e.path()), ++n;
    } else {
      replay(p), ++n;
    }
  }
  std::fprintf(stderr, "replayed %zu inputs\n", n);
  return n > 0 ? 0 : 1;  // nothing to replay means the test is misconfigured
}
