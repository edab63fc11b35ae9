// The example grammars of examples/grammars (llama.cpp's json, list, arithmetic and C-like
// ones, written anew), read for the tests.
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include "lmc_test_paths.h"

namespace lmc::structured::testing {

inline std::string example_grammar(const std::string& name) {
  std::ifstream in(std::string(LMC_SOURCE_DIR) + "/examples/grammars/" + name + ".gbnf");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lmc::structured::testing
