// What `lmc --version` prints, and `lmc run --version` (llama.cpp's tools take --version):
// lmc's version, the commit it was built from and its build number.
#pragma once
#include <string>

namespace lmc::tools {

std::string version_text();

}  // namespace lmc::tools
