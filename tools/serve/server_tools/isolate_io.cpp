#include "tools/serve/server_tools/isolate_io.h"

#include <sstream>

namespace lmc::tools::server_tools {

std::string shell_quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

namespace {

// Each auxiliary command's deadline; a shell command has its own (with a margin for the
// isolate's `timeout` to end it first: killing the local client does not end it there).
constexpr std::chrono::seconds kAuxTimeout{15};
constexpr std::chrono::seconds kMargin{5};
constexpr size_t kMostRead = 64 << 20;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("./", 0) == 0) line = line.substr(2);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

class IsolateIo : public ToolIo {
 public:
  explicit IsolateIo(std::string cwd) : cwd_(std::move(cwd)) {}

  std::string resolve(const std::string& path) const override {
    return cwd_.empty() || (!path.empty() && path[0] == '/') ? path : cwd_ + "/" + path;
  }
  bool is_directory(const std::string& path) const override { return test("-d", resolve(path)); }
  bool is_file(const std::string& path) const override { return test("-f", resolve(path)); }

  std::optional<uint64_t> file_size(const std::string& path) const override {
    const CommandResult r = aux({"sh", "-c", "wc -c < \"$1\"", "_", resolve(path)}, 64, false);
    if (r.exit_code != 0 || r.timed_out) return std::nullopt;
    try {
      return std::stoull(r.output);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  std::optional<std::string> read(const std::string& path) const override {
    const CommandResult r = aux({"cat", "--", resolve(path)}, kMostRead, false);
    if (r.exit_code != 0 || r.timed_out) return std::nullopt;
    return r.output;
  }

  bool write(const std::string& path, const std::string& content) const override {
    // The content goes on stdin: no argv for the far side to read again, no file here.
    const CommandResult r =
        aux({"sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1\"", "_", resolve(path)}, 4096, true, &content);
    return r.exit_code == 0 && !r.timed_out;
  }

  Listing list(const std::string& base, int max_depth, EntryKind kind) const override {
    Listing out;
    if (!is_directory(base)) {
      out.error = "path does not exist or is not a directory";
      return out;
    }
    const std::string at = resolve(base);
    if (kind == EntryKind::Files) {
      const CommandResult git =
          aux({"sh", "-c", "cd \"$1\" && git ls-files --cached --others --exclude-standard", "_", at}, 8 << 20, false);
      if (git.exit_code == 0 && !git.timed_out && !git.output.empty()) {
        for (const std::string& rel : lines_of(git.output))
          if (max_depth == 0 || depth_of(rel) <= max_depth) out.entries.push_back({rel, false});
        return out;
      }
    }
    if (kind != EntryKind::Files) find(at, max_depth, true, out);
    if (kind != EntryKind::Dirs) find(at, max_depth, false, out);
    return out;
  }

  CommandResult run(CommandSpec spec) const override {
    std::vector<std::string> inner = {"timeout", std::to_string(spec.timeout.count()) + "s"};
    inner.insert(inner.end(), spec.argv.begin(), spec.argv.end());
    if (!cwd_.empty()) {
      // 127: what a shell says of a command it could not run.
      std::vector<std::string> in_cwd = {"sh", "-c", "cd \"$1\" || exit 127; shift; exec \"$@\"", "_", cwd_};
      in_cwd.insert(in_cwd.end(), inner.begin(), inner.end());
      inner = std::move(in_cwd);
    }
    spec.argv = wrap(inner, true);
    spec.timeout += kMargin;
    spec.cwd.clear();
    return run_command(spec);
  }

 protected:
  // The command on this machine that runs `inner` there.
  virtual std::vector<std::string> wrap(const std::vector<std::string>& inner, bool with_stdin) const = 0;

 private:
  CommandResult aux(const std::vector<std::string>& inner, size_t max_output, bool with_stderr,
                    const std::string* input = nullptr) const {
    CommandSpec s;
    s.argv = wrap(inner, input != nullptr);
    s.input = input;
    s.with_stderr = with_stderr;
    s.max_output = max_output;
    s.timeout = kAuxTimeout;
    return run_command(s);
  }

  bool test(const char* flag, const std::string& path) const {
    const CommandResult r = aux({"sh", "-c", std::string("[ ") + flag + " \"$1\" ]", "_", path}, 4096, true);
    return r.exit_code == 0 && !r.timed_out;
  }

  // One `find` there; junk folders listed, never entered (-mindepth/-maxdepth: busybox's too).
  void find(const std::string& at, int max_depth, bool dirs, Listing& out) const {
    std::string prune;
    for (const std::string& n : kJunkDirs) prune += (prune.empty() ? "-name " : " -o -name ") + n;
    std::string cmd = "cd \"$1\" && find . -mindepth 1";
    if (max_depth > 0) cmd += " -maxdepth " + std::to_string(max_depth);
    cmd += " \\( " + prune + " \\) -prune";
    cmd += dirs ? " -print -o -type d -print" : " -o -type f -print";
    const CommandResult r = aux({"sh", "-c", cmd, "_", at}, 8 << 20, false);
    out.truncated = out.truncated || r.timed_out || r.truncated;
    for (std::string& rel : lines_of(r.output)) out.entries.push_back({std::move(rel), dirs});
  }

  std::string cwd_;
};

class ContainerIo final : public IsolateIo {
 public:
  ContainerIo(std::string engine, std::string id, std::string cwd)
      : IsolateIo(std::move(cwd)), engine_(std::move(engine)), id_(std::move(id)) {}

 private:
  std::vector<std::string> wrap(const std::vector<std::string>& inner, bool with_stdin) const override {
    std::vector<std::string> argv = {engine_, "exec"};
    if (with_stdin) argv.push_back("-i");
    argv.push_back(id_);
    argv.insert(argv.end(), inner.begin(), inner.end());
    return argv;
  }

  std::string engine_, id_;
};

class SshIo final : public IsolateIo {
 public:
  SshIo(std::string target, std::string cwd) : IsolateIo(std::move(cwd)), target_(std::move(target)) {}

 private:
  std::vector<std::string> wrap(const std::vector<std::string>& inner, bool with_stdin) const override {
    std::vector<std::string> argv = {"ssh",
                                     "-o",
                                     "BatchMode=yes",
                                     "-o",
                                     "PasswordAuthentication=no",
                                     "-o",
                                     "KbdInteractiveAuthentication=no",
                                     "-o",
                                     "StrictHostKeyChecking=yes"};
    if (!with_stdin) argv.push_back("-n");
    argv.push_back(target_);
    argv.push_back(shell_quoted(inner));  // the far side's shell reads it again
    return argv;
  }

  std::string target_;
};

}  // namespace

std::unique_ptr<ToolIo> make_container_io(std::string engine, std::string container_id, std::string cwd) {
  return std::make_unique<ContainerIo>(std::move(engine), std::move(container_id), std::move(cwd));
}

std::unique_ptr<ToolIo> make_ssh_io(std::string target, std::string cwd) {
  return std::make_unique<SshIo>(std::move(target), std::move(cwd));
}

}  // namespace lmc::tools::server_tools
