#include "tools/serve/server_tools/text_edits.h"

#include <algorithm>

namespace lmc::tools::server_tools {
namespace {

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

struct Match {
  size_t edit;
  size_t at;
};

}  // namespace

EditOutcome apply_edits(const std::string& content, const std::vector<TextEdit>& edits, const std::string& path) {
  std::vector<Match> matches;
  for (size_t i = 0; i < edits.size(); ++i) {
    const std::string& old = edits[i].old_text;
    const std::string n = std::to_string(i);
    if (old.empty()) return {"", "edits[" + n + "].old_text must not be empty"};
    const size_t count = occurrences(content, old);
    if (count == 0)
      return {"", "could not find edits[" + n + "].old_text in " + path +
                      ", it must match the file's current content exactly"};
    if (count > 1)
      return {"", "found " + std::to_string(count) + " occurrences of edits[" + n + "].old_text in " + path +
                      ", it must be unique"};
    matches.push_back({i, content.find(old)});
  }
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) { return a.at < b.at; });
  for (size_t k = 1; k < matches.size(); ++k) {
    const Match &a = matches[k - 1], &b = matches[k];
    if (a.at + edits[a.edit].old_text.size() > b.at)
      return {"", "edits[" + std::to_string(a.edit) + "] and edits[" + std::to_string(b.edit) + "] overlap in " + path +
                      "; merge them into one edit or target disjoint regions"};
  }
  std::string out;
  size_t from = 0;
  for (const Match& m : matches) {
    out.append(content, from, m.at - from);
    out += edits[m.edit].new_text;
    from = m.at + edits[m.edit].old_text.size();
  }
  out.append(content, from, std::string::npos);
  if (out == content) return {"", "no changes made: the replacement(s) produced identical content"};
  return {out, ""};
}

}  // namespace lmc::tools::server_tools
