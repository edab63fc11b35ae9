#include "tools/lmc/serve/api_keys.h"

#include <fstream>

namespace lmc::tools {

namespace {

void add_key(std::string key, const std::string& where, std::vector<std::string>& keys) {
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ' || key.back() == '\t')) key.pop_back();
  while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.erase(key.begin());
  if (key.empty()) throw UsageError(where + ": an API key is empty");
  keys.push_back(std::move(key));
}

void keys_of_list(const std::string& list, std::vector<std::string>& keys) {
  size_t start = 0;
  for (;;) {
    const size_t comma = list.find(',', start);
    add_key(list.substr(start, comma - start), "--api-key", keys);
    if (comma == std::string::npos) return;
    start = comma + 1;
  }
}

void keys_of_file(const std::string& path, std::vector<std::string>& keys) {
  std::ifstream in(path);
  if (!in) throw UsageError("--api-key-file: cannot read '" + path + "'");
  const size_t before = keys.size();
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    add_key(line, path + ":" + std::to_string(n), keys);
  }
  if (keys.size() == before) throw UsageError("--api-key-file: '" + path + "' holds no key");
}

}  // namespace

std::vector<FlagSpec> api_key_flag_specs() {
  return {
      {"api-key", true,
       "require 'Authorization: Bearer KEY' on every endpoint but /health and the chat page; several keys "
       "separated by commas",
       "KEY[,KEY...]"},
      {"api-key-file", true, "accept the keys of this file too, one a line", "FILE"},
  };
}

std::vector<std::string> api_keys(const Args& a) {
  std::vector<std::string> keys;
  if (auto list = a.get("api-key")) keys_of_list(*list, keys);
  if (auto file = a.get("api-key-file")) keys_of_file(*file, keys);
  return keys;
}

}  // namespace lmc::tools
