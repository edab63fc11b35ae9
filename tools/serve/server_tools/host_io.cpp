#include "tools/serve/server_tools/host_io.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lmc::tools::server_tools {

namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds kListBudget{15};
constexpr size_t kMostGitListing = 8 << 20;

class HostIo final : public ToolIo {
 public:
  explicit HostIo(std::string cwd) : cwd_(std::move(cwd)) {}

  std::string resolve(const std::string& path) const override {
    fs::path p = path;
    const char* home = std::getenv("HOME");
    if (home && !path.empty() && path[0] == '~' && (path.size() == 1 || path[1] == '/'))
      p = std::string(home) + path.substr(1);
    if (!p.is_absolute()) {
      std::error_code ec;
      p = (cwd_.empty() ? fs::current_path(ec) : fs::path(cwd_)) / p;
    }
    p = p.lexically_normal();
    if (!p.has_filename() && p != p.root_path()) p = p.parent_path();  // "a/.." ends in '/'
    return p.string();
  }

  bool is_directory(const std::string& path) const override {
    std::error_code ec;
    return fs::is_directory(resolve(path), ec);
  }

  bool is_file(const std::string& path) const override {
    std::error_code ec;
    return fs::is_regular_file(resolve(path), ec);
  }

  std::optional<uint64_t> file_size(const std::string& path) const override {
    std::error_code ec;
    const uintmax_t n = fs::file_size(resolve(path), ec);
    if (ec) return std::nullopt;
    return n;
  }

  std::optional<std::string> read(const std::string& path) const override {
    std::ifstream f(resolve(path), std::ios::binary);
    if (!f) return std::nullopt;
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  }

  bool write(const std::string& path, const std::string& content) const override {
    const fs::path p = resolve(path);
    std::error_code ec;
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
    std::ofstream f(p, std::ios::binary);
    return f && f.write(content.data(), static_cast<std::streamsize>(content.size())) && f.flush();
  }

  Listing list(const std::string& base, int max_depth, EntryKind kind) const override {
    Listing out;
    if (!is_directory(base)) {
      out.error = "path does not exist or is not a directory";
      return out;
    }
    // In a git work tree, git's own listing leaves out what .gitignore does; a folder git
    // lists nothing of (all of it ignored, or outside any tree) is walked instead.
    if (kind == EntryKind::Files && git_files(base, max_depth, out.entries) && !out.entries.empty()) return out;
    out.entries.clear();
    walk(base, max_depth, kind, out);
    std::sort(out.entries.begin(), out.entries.end(),
              [](const ListedEntry& a, const ListedEntry& b) { return a.rel < b.rel; });
    return out;
  }

  CommandResult run(CommandSpec spec) const override {
    spec.cwd = cwd_;
    return run_command(spec);
  }

 private:
  bool git_files(const std::string& base, int max_depth, std::vector<ListedEntry>& into) const {
    CommandSpec git;
    git.argv = {"git", "-C", base, "ls-files", "--cached", "--others", "--exclude-standard"};
    git.with_stderr = false;
    git.max_output = kMostGitListing;
    git.timeout = kListBudget;
    const CommandResult r = run_command(git);
    if (r.exit_code != 0 || r.timed_out || r.truncated) return false;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || (max_depth > 0 && depth_of(line) > max_depth)) continue;
      std::error_code ec;
      if (fs::is_regular_file(fs::path(base) / line, ec)) into.push_back({line, false});  // not a deleted one
    }
    return true;
  }

  static void walk(const std::string& base, int max_depth, EntryKind kind, Listing& out) {
    const auto deadline = std::chrono::steady_clock::now() + kListBudget;
    struct Dir {
      fs::path path;
      std::string rel;
      int depth;
    };
    std::vector<Dir> todo = {{base, "", 0}};
    while (!todo.empty()) {
      const Dir d = todo.back();
      todo.pop_back();
      std::error_code ec;
      fs::directory_iterator it(d.path, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        if (std::chrono::steady_clock::now() > deadline) {
          out.truncated = true;
          return;
        }
        const std::string name = it->path().filename().string();
        const std::string rel = d.rel.empty() ? name : d.rel + "/" + name;
        std::error_code tec;
        // A link to a folder is never walked: it may lead back to an ancestor.
        if (it->is_directory(tec)) {
          if (kind != EntryKind::Files) out.entries.push_back({rel, true});
          const bool junk = std::find(kJunkDirs.begin(), kJunkDirs.end(), name) != kJunkDirs.end();
          if (!junk && !it->is_symlink(tec) && (max_depth == 0 || d.depth + 1 < max_depth))
            todo.push_back({it->path(), rel, d.depth + 1});
        } else if (kind != EntryKind::Dirs && it->is_regular_file(tec)) {
          out.entries.push_back({rel, false});
        }
      }
      if (ec) out.truncated = true;
    }
  }

  std::string cwd_;
};

}  // namespace

std::unique_ptr<ToolIo> make_host_io(std::string cwd) { return std::make_unique<HostIo>(std::move(cwd)); }

}  // namespace lmc::tools::server_tools
