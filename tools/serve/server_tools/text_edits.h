// edit_file's rule: each edit's old_text must occur exactly once in the file as it is (all
// edits are matched against the original, not one after another), no two edits may touch
// the same bytes, and the result must differ from the original. Refusals in llama-server's
// words, naming the edit and the file.
#pragma once
#include <string>
#include <vector>

namespace lmc::tools::server_tools {

struct TextEdit {
  std::string old_text;
  std::string new_text;
};

struct EditOutcome {
  std::string content;  // the edited text, when `error` is empty
  std::string error;
};

EditOutcome apply_edits(const std::string& content, const std::vector<TextEdit>& edits, const std::string& path);

}  // namespace lmc::tools::server_tools
