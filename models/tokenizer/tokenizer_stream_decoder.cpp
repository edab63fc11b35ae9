#include "models/tokenizer/tokenizer_stream_decoder.h"

#include "models/tokenizer/tokenizer_unicode.h"

namespace lmc::models {

std::string StreamDecoder::push(int32_t id) {
  pending_ += tokenizer_.token_text(id);
  size_t ready = utf8_complete_prefix(pending_);
  std::string out = pending_.substr(0, ready);
  pending_.erase(0, ready);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  out.swap(pending_);
  return out;
}

}  // namespace lmc::models
