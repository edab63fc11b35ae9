#include "tools/lmc/lit/lit_suites.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/error.h"
#include "tools/lmc/lit/lit_harness_files.h"

namespace lmc::tools {

namespace fs = std::filesystem;

namespace {

// A CMake-configured path, or the environment's override of it.
std::string configured(const char* env, const char* built_in) {
  const char* v = std::getenv(env);
  return v && *v ? v : built_in;
}

std::string existing(const std::string& path, const std::string& what, const char* env) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(path + ": error: " + what + " is not there (install Debian's llvm-19-tools, or set " + env + ")");
  return path;
}

// A Python string literal's body: `s` with backslashes, quotes and line ends escaped.
std::string py_quoted(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

// The template with each @NAME@ replaced by its value, quoted for Python.
std::string filled(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out(text);
  for (const auto& [name, value] : values) {
    const std::string key = "@" + name + "@";
    for (size_t p = out.find(key); p != std::string::npos; p = out.find(key, p + value.size()))
      out.replace(p, key.size(), value);
  }
  return out;
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw Error(path.string() + ": error: cannot write the lit configuration");
}

// The folder holding the lit configuration nearest above `path` (its own folder first),
// or "" when none does.
fs::path configured_folder(const fs::path& path) {
  std::error_code ec;
  for (fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "lit.site.cfg.py", ec) || fs::exists(dir / "lit.cfg.py", ec)) return dir;
    if (dir == dir.root_path()) break;
  }
  return {};
}

// "liblmc_x.so" -> "lmc_x": a plugin's name in its %lmc_x_plugin, as its CMake target names it.
std::string plugin_name(const fs::path& library) {
  std::string stem = library.stem().string();
  return stem.rfind("lib", 0) == 0 ? stem.substr(3) : stem;
}

}  // namespace

LitTools find_lit_tools() {
  LitTools t;
  t.lit = existing(configured("LMC_LIT", LMC_LIT_SCRIPT), "lit (LLVM 19's lit.py)", "LMC_LIT");
  t.filecheck = existing(configured("LMC_FILECHECK", LMC_FILECHECK_PATH), "FileCheck", "LMC_FILECHECK");
  std::error_code ec;
  std::string python = configured("LMC_PYTHON", LMC_PYTHON_PATH);
  t.python = fs::exists(python, ec) ? python : "python3";  // the build's venv gone: the one on PATH
  t.lmc = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) throw Error("lmc lit: error: cannot find this lmc's executable: " + ec.message());
  return t;
}

LitSuites::LitSuites(LitTools tools, std::vector<std::string> plugins, std::string scratch)
    : tools_(std::move(tools)), plugins_(std::move(plugins)), scratch_(std::move(scratch)) {}

std::string LitSuites::lit_path(const std::string& given) {
  std::error_code ec;
  fs::path path = fs::weakly_canonical(fs::absolute(given), ec);
  if (ec || !fs::exists(path, ec)) throw Error(given + ": error: no such test file or folder");
  fs::path suite = configured_folder(path);
  fs::path own = fs::weakly_canonical(LMC_OWN_LIT_SOURCE_ROOT, ec);
  if (!suite.empty() && suite == own) {
    fs::path exec_root = LMC_OWN_LIT_EXEC_ROOT;
    if (!fs::exists(exec_root / "lit.site.cfg.py", ec))
      throw Error(given + ": error: lmc's own tests run in the build tree that built this lmc, and " +
                  exec_root.string() + " has no lit.site.cfg.py (configure the build with cmake)");
    return (exec_root / path.lexically_relative(suite)).lexically_normal().string();
  }
  if (!suite.empty()) return path.string();
  fs::path root = fs::is_directory(path, ec) ? path : path.parent_path();
  return (fs::path(harness_exec_root(root.string())) / path.lexically_relative(root)).lexically_normal().string();
}

std::string LitSuites::harness_exec_root(const std::string& source_root) {
  auto known = exec_roots_.find(source_root);
  if (known != exec_roots_.end()) return known->second;
  fs::path exec_root = fs::path(scratch_) / ("suite" + std::to_string(exec_roots_.size()));
  fs::create_directories(exec_root);
  std::string plugins;
  for (const auto& p : plugins_)
    plugins += "    \"" + py_quoted(plugin_name(p)) + "\": \"" + py_quoted(fs::absolute(p).string()) + "\",\n";
  write_file(exec_root / "lmc_lit.cfg.py", lit_harness_config());
  write_file(exec_root / "lit.site.cfg.py",
             filled(lit_site_template(),
                    {{"LMC_LIT_WRITER", "lmc lit"},
                     {"LMC_LIT_NAME", py_quoted(fs::path(source_root).filename().string())},
                     {"LMC_LIT_LMC", py_quoted(tools_.lmc)},
                     {"LMC_LIT_FILECHECK", py_quoted(tools_.filecheck)},
                     {"LMC_LIT_PYTHON", py_quoted(tools_.python)},
                     {"LMC_LIT_SOURCE_ROOT", py_quoted(source_root)},
                     {"LMC_LIT_EXEC_ROOT", py_quoted(exec_root.string())},
                     {"LMC_LIT_PLUGINS", plugins},
                     {"LMC_LIT_FIRST_PLUGIN", plugins_.empty() ? "" : py_quoted(plugin_name(plugins_.front()))},
                     {"LMC_LIT_CONFIG", py_quoted((exec_root / "lmc_lit.cfg.py").string())}}));
  return exec_roots_[source_root] = exec_root.string();
}

}  // namespace lmc::tools
