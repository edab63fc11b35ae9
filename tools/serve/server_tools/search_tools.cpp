// file_glob_search and grep_search (builtin_tools.h).
#include <algorithm>
#include <sstream>

#include "tools/serve/server_tools/builtin_tools.h"
#include "tools/serve/server_tools/line_pattern.h"
#include "tools/serve/server_tools/path_glob.h"
#include "tools/serve/server_tools/tool_params.h"
#include "tools/serve/server_tools/tool_runtime.h"

namespace lmc::tools::server_tools {
namespace {

constexpr int64_t kMostEntries = 100;
constexpr size_t kMostMatches = 100;

json property(const char* type, const std::string& description) {
  return {{"type", type}, {"description", description}};
}

bool selected(const std::string& rel, const std::string& include, const std::string& exclude) {
  return path_glob_match(include, rel) && (exclude.empty() || !path_glob_match(exclude, rel));
}

class FileGlobSearch final : public ServerTool {
 public:
  FileGlobSearch() { name = "file_glob_search", display_name = "File search", uses_cwd = true; }

  json definition() const override {
    return function_definition(
        name,
        "Recursively search for files matching a glob pattern under a directory. Automatically skips files ignored "
        "by .gitignore (when the directory is inside a git repo) and common junk directories (.git, node_modules, "
        "build, dist, etc.) otherwise. A pattern with no '/' (e.g. \"*.cpp\") matches the file's basename at any "
        "depth. A pattern containing '/' matches the full relative path; unless already anchored with \"**/\" or a "
        "leading '/', it is automatically prefixed with \"**/\". Use type=\"dir\" or \"all\" to also list "
        "directories; directory entries are suffixed with '/' in the output. Note: directory listings do not apply "
        ".gitignore filtering.",
        {{"path", property("string", "Base directory to search in")},
         {"include",
          property("string", "Glob pattern for files to include (e.g. \"*.cpp\" or \"src/**/*.cpp\"). Default: **")},
         {"exclude", property("string", "Glob pattern for files to exclude")},
         {"type", property("string", "Entry type to return: \"file\" (default), \"dir\" or \"all\"")},
         {"max_depth", property("integer",
                                "Maximum depth to descend into subdirectories (default: 0 = unlimited; 1 = direct "
                                "children only)")},
         {"limit", property("integer", "Maximum number of results to return, capped at 100 (default 100)")}},
        {"path"});
  }

  json invoke(const ToolCall& call) const override {
    const json& p = call.params;
    const std::string path = text_param(p, "path"), include = text_param(p, "include", "**"),
                      exclude = text_param(p, "exclude", ""), type = text_param(p, "type", "file");
    const int max_depth = static_cast<int>(std::clamp<int64_t>(int_param(p, "max_depth", 0), 0, 1 << 20));
    const int64_t asked = int_param(p, "limit", kMostEntries);
    if (asked < 1) return tool_error("invalid limit: " + std::to_string(asked) + " (expected 1 or more)");
    const size_t limit = static_cast<size_t>(std::min(asked, kMostEntries));
    EntryKind kind;
    if (type == "file")
      kind = EntryKind::Files;
    else if (type == "dir")
      kind = EntryKind::Dirs;
    else if (type == "all")
      kind = EntryKind::All;
    else
      return tool_error("invalid type: " + type + " (expected \"file\", \"dir\" or \"all\")");
    const auto io = make_tool_io(call);
    const std::string base = io->resolve(path);
    const Listing listing = io->list(base, max_depth, kind);
    if (!listing.error.empty()) return tool_error(listing.error + ": " + path);
    std::vector<ListedEntry> hits;
    for (const ListedEntry& e : listing.entries)
      if (selected(e.rel, include, exclude)) hits.push_back(e);
    std::ostringstream text;
    json entries = json::array();
    for (size_t i = 0; i < std::min(limit, hits.size()); ++i) {
      text << hits[i].rel << (hits[i].is_dir ? "/" : "") << "\n";
      entries.push_back({{"path", hits[i].rel}, {"type", hits[i].is_dir ? "dir" : "file"}});
    }
    text << "\n---\nTotal matches: " << hits.size() << "\n";
    if (hits.size() > limit)
      text << "[" << limit << " results limit reached (" << hits.size()
           << " total matches). Refine the glob pattern to narrow the search.]\n";
    if (listing.truncated) text << "[results truncated: time budget or unreadable directory]\n";
    // `base` is absolute, so that a client joins the entries into paths; the text is the model's.
    return {{"plain_text_response", text.str()}, {"entries", entries}, {"base", base}};
  }
};

class GrepSearch final : public ServerTool {
 public:
  GrepSearch() { name = "grep_search", display_name = "Grep search", uses_cwd = true; }

  json definition() const override {
    return function_definition(
        name,
        "Search for a pattern in files under a path. Returns matching lines with file paths (and, unless searching "
        "a single file, paths relative to the given directory). Automatically skips files ignored by .gitignore "
        "(when the directory is inside a git repo) and common junk directories (.git, node_modules, build, dist, "
        "etc.) otherwise. include/exclude: a pattern with no '/' matches the basename at any depth; a pattern "
        "containing '/' matches the full relative path (auto-anchored with \"**/\" unless already anchored).",
        {{"path", property("string", "File or directory to search in")},
         {"pattern", property("string", "Pattern to search for (regular expression unless literal is true)")},
         {"include", property("string", "Glob pattern to filter files (default: **)")},
         {"exclude", property("string", "Glob pattern to exclude files")},
         {"return_line_numbers", property("boolean", "If true, include line numbers in results")},
         {"literal",
          property("boolean", "Treat pattern as a literal string instead of a regular expression (default: false)")},
         {"ignore_case", property("boolean", "Case-insensitive search (default: false)")},
         {"context_lines",
          property("integer", "Number of lines of context to show before and after each match (default: 0)")}},
        {"path", "pattern"});
  }

  json invoke(const ToolCall& call) const override {
    const json& p = call.params;
    const std::string path = text_param(p, "path"), pattern = text_param(p, "pattern"),
                      include = text_param(p, "include", "**"), exclude = text_param(p, "exclude", "");
    const int64_t context = std::clamp<int64_t>(int_param(p, "context_lines", 0), 0, 1000);
    const bool numbered = bool_param(p, "return_line_numbers", false) || context > 0;
    std::unique_ptr<LinePattern> re;
    try {
      re = std::make_unique<LinePattern>(pattern, bool_param(p, "literal", false), bool_param(p, "ignore_case", false));
    } catch (const std::invalid_argument& e) {
      return tool_error(std::string("invalid regex: ") + e.what());
    }
    const auto io = make_tool_io(call);
    const std::string at = io->resolve(path);
    std::vector<std::pair<std::string, std::string>> files;  // (where, as shown)
    if (io->is_file(at)) {
      files.emplace_back(at, path);
    } else if (io->is_directory(at)) {
      const Listing listing = io->list(at, 0, EntryKind::Files);
      if (!listing.error.empty()) return tool_error(listing.error + ": " + path);
      for (const ListedEntry& e : listing.entries)
        if (selected(e.rel, include, exclude)) files.emplace_back(at + "/" + e.rel, e.rel);
    } else {
      return tool_error("path does not exist: " + path);
    }
    std::ostringstream text;
    size_t total = 0;
    bool full = false;
    for (size_t f = 0; f < files.size() && !full && !call.cancelled->load(); ++f) {
      const std::optional<std::string> content = io->read(files[f].first);
      if (!content) continue;
      std::vector<std::string> lines;
      std::istringstream in(*content);
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      for (size_t i = 0; i < lines.size(); ++i) {
        if (total >= kMostMatches) {
          full = true;
          break;
        }
        if (!re->found_in(lines[i])) continue;
        const size_t from = i - std::min<size_t>(i, context), to = std::min(lines.size() - 1, i + context);
        for (size_t j = from; j <= to; ++j) {
          const char mark = j == i ? ':' : '-';
          text << files[f].second << mark;
          if (numbered) text << j + 1 << mark;
          text << lines[j] << "\n";
        }
        if (context > 0) text << "--\n";
        ++total;
      }
    }
    text << "\n---\nTotal matches: " << total << "\n";
    if (full) text << "[" << kMostMatches << " matches limit reached. Narrow the path/pattern/include to see more.]\n";
    return {{"plain_text_response", text.str()}};
  }
};

}  // namespace

std::unique_ptr<ServerTool> make_file_glob_search() { return std::make_unique<FileGlobSearch>(); }
std::unique_ptr<ServerTool> make_grep_search() { return std::make_unique<GrepSearch>(); }

}  // namespace lmc::tools::server_tools
