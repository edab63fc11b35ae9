// One error type for every stage: the message already names the file and place
// ("model.gguf:offset 1234: error: ..."), so the CLI prints it verbatim and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace lmc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Formats "<where>: error: <what>", the shape every diagnostic in lmc takes.
inline Error error_at(const std::string& where, const std::string& what) { return Error(where + ": error: " + what); }

}  // namespace lmc
