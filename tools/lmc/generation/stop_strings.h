// --stop: generation ends when the text reaches one of the stop strings, which is not
// shown. Streamed text that might be the start of a stop string is held back until the
// next piece shows whether it is.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lmc::tools {

class StopStrings {
 public:
  explicit StopStrings(std::vector<std::string> stops);
  // Takes the next piece of generated text; returns what can be shown now.
  std::string push(std::string_view text);
  bool stopped() const { return stopped_; }
  const std::string& matched() const { return matched_; }  // the stop string found, once stopped
  // At the end of generation: what was held back (nothing once stopped).
  std::string flush();

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
  std::string matched_;
};

}  // namespace lmc::tools
