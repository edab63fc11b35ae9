// read_file, write_file and edit_file (builtin_tools.h).
#include <sstream>

#include "tools/serve/server_tools/builtin_tools.h"
#include "tools/serve/server_tools/text_edits.h"
#include "tools/serve/server_tools/tool_params.h"
#include "tools/serve/server_tools/tool_runtime.h"

namespace lmc::tools::server_tools {
namespace {

constexpr size_t kMostRead = 16 * 1024;  // a model's context is small: a bigger file is read by line ranges

json string_property(const char* description) { return {{"type", "string"}, {"description", description}}; }

class ReadFile final : public ServerTool {
 public:
  ReadFile() { name = "read_file", display_name = "Read file", uses_cwd = true; }

  json definition() const override {
    return function_definition(
        name,
        "Read the contents of a file. Optionally specify a 1-based line range. If append_loc is true, each line is "
        "prefixed with its line number (e.g. \"1\u2192...\").",
        {{"path", string_property("Path to the file")},
         {"start_line", {{"type", "integer"}, {"description", "First line to read, 1-based (default: 1)"}}},
         {"end_line",
          {{"type", "integer"}, {"description", "Last line to read, 1-based inclusive (default: end of file)"}}},
         {"append_loc", {{"type", "boolean"}, {"description", "Prefix each line with its line number"}}}},
        {"path"});
  }

  json invoke(const ToolCall& call) const override {
    const std::string path = text_param(call.params, "path");
    const int64_t start = int_param(call.params, "start_line", 1), end = int_param(call.params, "end_line", -1);
    const bool numbered = bool_param(call.params, "append_loc", false);
    const auto io = make_tool_io(call);
    const std::optional<uint64_t> size = io->file_size(path);
    if (!size) return tool_error("cannot stat file: " + path);
    if (*size > kMostRead && end == -1)
      return tool_error("file too large (" + std::to_string(*size) + " bytes, max " + std::to_string(kMostRead) +
                        "). Use start_line/end_line to read a portion.");
    const std::optional<std::string> content = io->read(path);
    if (!content) return tool_error("failed to open file: " + path);
    std::istringstream lines(*content);
    std::string text;
    int64_t n = 0;
    for (std::string line; std::getline(lines, line);) {
      if (++n < start) continue;
      if (end != -1 && n > end) break;
      const std::string out = (numbered ? std::to_string(n) + "\u2192" : "") + line + "\n";
      if (text.size() + out.size() > kMostRead) {
        text += "[output truncated]";
        break;
      }
      text += out;
    }
    return {{"plain_text_response", text}};
  }
};

class WriteFile final : public ServerTool {
 public:
  WriteFile() { name = "write_file", display_name = "Write file", uses_cwd = true, writes = true; }

  json definition() const override {
    return function_definition(
        name,
        "Write content to a file, creating it (including parent directories) if it does not "
        "exist. May use with edit_file for more complex edits.",
        {{"path", string_property("Path of the file to write")}, {"content", string_property("Content to write")}},
        {"path", "content"});
  }

  json invoke(const ToolCall& call) const override {
    const std::string path = text_param(call.params, "path"), content = text_param(call.params, "content");
    if (!make_tool_io(call)->write(path, content)) return tool_error("failed to write file: " + path);
    return {{"result", "file written successfully"}, {"path", path}, {"bytes", content.size()}};
  }
};

class EditFile final : public ServerTool {
 public:
  EditFile() { name = "edit_file", display_name = "Edit file", uses_cwd = true, writes = true; }

  json definition() const override {
    const json edit = {
        {"type", "object"},
        {"properties",
         {{"old_text",
           string_property("Exact text to find; must be unique in the file and must not overlap with other edits")},
          {"new_text", string_property("Text to replace old_text with")}}},
        {"required", {"old_text", "new_text"}}};
    return function_definition(
        name,
        "Edit a file using exact text replacement. Each edits[].old_text must be unique in the file and is matched "
        "against the original content, not incrementally. Merge nearby changes into one edit instead of "
        "overlapping edits. Use write_file to replace the whole file.",
        {{"path", string_property("Path to the file to edit")},
         {"edits",
          {{"type", "array"}, {"description", "One or more exact text replacements to apply"}, {"items", edit}}}},
        {"path", "edits"});
  }

  json invoke(const ToolCall& call) const override {
    const std::string path = text_param(call.params, "path");
    const json& list = call.params.contains("edits") ? call.params["edits"] : json();
    if (!list.is_array() || list.empty()) return tool_error("\"edits\" must be a non-empty array");
    std::vector<TextEdit> edits;
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_object()) throw ToolRefusal(400, "params.edits[" + std::to_string(i) + "] must be an object");
      edits.push_back({text_param(list[i], "old_text"), text_param(list[i], "new_text")});
    }
    const auto io = make_tool_io(call);
    const std::optional<std::string> content = io->read(path);
    if (!content) return tool_error("failed to open file: " + path);
    const EditOutcome edited = apply_edits(*content, edits, path);
    if (!edited.error.empty()) return tool_error(edited.error);
    if (!io->write(path, edited.content)) return tool_error("failed to write file: " + path);
    return {{"result", "file edited successfully"}, {"path", path}, {"edits_applied", edits.size()}};
  }
};

}  // namespace

std::unique_ptr<ServerTool> make_read_file() { return std::make_unique<ReadFile>(); }
std::unique_ptr<ServerTool> make_write_file() { return std::make_unique<WriteFile>(); }
std::unique_ptr<ServerTool> make_edit_file() { return std::make_unique<EditFile>(); }

}  // namespace lmc::tools::server_tools
