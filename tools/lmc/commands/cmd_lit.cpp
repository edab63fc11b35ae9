// lmc lit: runs lit tests — lmc's own (tests/lit), or a plugin's — given one file or a
// folder, as ctest runs them, from any shell: LLVM 19's lit with lmc, FileCheck,
// split-file and not first on PATH, on the suite's configuration (tools/lmc/lit/lit_suites.h
// says which). The exit code is lit's: 0 when every test passed, 1 when one failed.
#include <cstdlib>
#include <filesystem>

#include "passes/run_program.h"
#include "support/error.h"
#include "support/scratch_dir.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/lit/lit_suites.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  return {{"load-pass-plugin", true,
           "a pass plugin for the tests' %plugin (the first) and %<name>_plugin (liblmc_x.so: %lmc_x_plugin), in a "
           "folder without a lit configuration of its own (repeatable)",
           "LIB"},
          {"lit-arg", true, "pass ARG to lit (repeatable), e.g. --lit-arg=-a to show every test's output", "ARG"},
          {"help", false, "show this help", "", false, "h"}};
}

// lmc's folder and LLVM's tools first on PATH, for RUN lines and for a suite's own
// configuration that expects them there.
void put_tools_on_path(const LitTools& t) {
  namespace fs = std::filesystem;
  const char* path = std::getenv("PATH");
  std::string dirs = fs::path(t.lmc).parent_path().string() + ":" + fs::path(t.filecheck).parent_path().string();
  ::setenv("PATH", (path && *path ? dirs + ":" + path : dirs).c_str(), 1);
}

std::vector<std::string> plugin_libraries(const Args& a) {
  std::vector<std::string> out;
  for (const auto& lib : a.all("load-pass-plugin")) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(lib, ec)) throw Error(lib + ": error: no such pass plugin library");
    out.push_back(std::filesystem::absolute(lib).string());
  }
  return out;
}

}  // namespace

int cmd_lit(int argc, char** argv) {
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc lit PATH... [options]\n\n"
                   "Runs the lit tests in PATH (a .lir test file or a folder of them) with LLVM 19's lit,\n"
                   "lmc, FileCheck, split-file and not on PATH: lmc's own tests (tests/lit) as the build\n"
                   "configured them, a folder with a lit configuration of its own on that, and any other\n"
                   "(a plugin's tests) on the harness of lmc_add_lit_test, with --load-pass-plugin's\n"
                   "libraries as %plugin. Exits with lit's code: 0 when every test passed.\n\noptions:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (a.positional().empty()) throw UsageError("lmc lit expects a test file or folder");
  LitTools tools = find_lit_tools();
  ScratchDir scratch("lmc-lit", "the lit suites' configuration and output");
  LitSuites suites(tools, plugin_libraries(a), scratch.path());
  std::vector<std::string> lit{tools.python, tools.lit, "-v"};
  for (const auto& arg : a.all("lit-arg")) lit.push_back(arg);
  for (const auto& path : a.positional()) lit.push_back(suites.lit_path(path));
  put_tools_on_path(tools);
  int status = 1;
  if (passes::run_program(lit, &status) == passes::ProgramResult::NotFound)
    throw Error(tools.python + ": error: cannot run Python for lit (set LMC_PYTHON)");
  return status;
}

}  // namespace lmc::tools
