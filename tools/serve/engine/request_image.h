// An image as a request to lmc serve gave it (an OpenAI image part, an Anthropic image
// block): its file's bytes, PNG or JPEG, and where in the request it was, which errors name.
#pragma once
#include <string>

namespace lmc::tools {

struct RequestImage {
  std::string bytes;
  std::string source;  // "messages[0].content[1]"
};

}  // namespace lmc::tools
