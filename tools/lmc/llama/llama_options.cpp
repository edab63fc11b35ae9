#include "tools/lmc/llama/llama_options.h"

#include <algorithm>

namespace lmc::tools {

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::vector<std::string> split_bars(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t bar = s.find('|', start);
    if (bar == std::string::npos) bar = s.size();
    out.push_back(s.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

const std::vector<LlamaOption>& llama_options() {
  static const std::vector<LlamaOption> options = [] {
    std::vector<LlamaOption> out;
#define LLAMA_OPTION(spellings, negations, values, tools) \
  out.push_back({split_bars(spellings), split_bars(negations), values, tools});
#include "tools/lmc/llama/llama_options.def"
#undef LLAMA_OPTION
    return out;
  }();
  return options;
}

const LlamaOption* find_llama_option(const std::string& spelling, LlamaTool tool) {
  for (const LlamaOption& o : llama_options())
    if ((o.tools & tool) && (has(o.spellings, spelling) || has(o.negations, spelling))) return &o;
  return nullptr;
}

}  // namespace lmc::tools
