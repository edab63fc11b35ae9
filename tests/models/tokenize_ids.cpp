// Test tool: lmc's token ids for a list of strings, so a test can compare them with
// Hugging Face tokenizers' (test_pretokenizers.py).
//   tokenize_ids TOKENIZER.json|VOCAB.gguf STRINGS.json  ->  [[ids...], ...] on stdout
// Special tokens written in the text are parsed, as for a prompt; no BOS is added.
#include <iostream>
#include <string>

#include "models/formats/gguf_file.h"
#include "models/formats/json.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "models/tokenizer/tokenizer_from_json.h"
#include "support/error.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tokenize_ids TOKENIZER.json|VOCAB.gguf STRINGS.json\n";
    return 2;
  }
  try {
    std::string path = argv[1];
    bool gguf = path.size() > 5 && path.substr(path.size() - 5) == ".gguf";
    auto vocab = gguf ? lmc::models::tokenizer_vocab_from_gguf(*lmc::models::GgufFile::open(path))
                      : lmc::models::tokenizer_vocab_from_json(path);
    auto tok = lmc::models::Tokenizer::create(std::move(vocab));
    auto doc = lmc::models::json::Document::read_file(argv[2]);
    std::cout << "[";
    const char* sep = "";
    for (const auto& s : doc.root().as_array()) {
      std::cout << sep << "[";
      const char* comma = "";
      for (int32_t id : tok->encode(s.as_string(), false)) {
        std::cout << comma << id;
        comma = ",";
      }
      std::cout << "]";
      sep = ",";
    }
    std::cout << "]\n";
  } catch (const lmc::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
