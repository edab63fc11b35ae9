#include "tools/lmc/reports/command_line.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace lmc::tools {

namespace {

constexpr const char* kEnvironment[] = {"LMC_PASS_DIR", "LMC_NO_AMX", "LMC_AMX_BF16"};

// `s` as a shell reads it back: quoted when it holds more than letters, digits and -_./=,:
std::string shell_word(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::strchr("-_./=,:", c);
  });
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string command_line(const Args& a) {
  std::string out;
  for (const char* name : kEnvironment)
    if (const char* v = std::getenv(name)) out += std::string(name) + "=" + shell_word(v) + " ";
  for (size_t i = 0; i < a.words().size(); ++i) out += (i ? " " : "") + shell_word(a.words()[i]);
  return out;
}

}  // namespace lmc::tools
