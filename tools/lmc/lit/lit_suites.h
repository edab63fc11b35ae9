// Which lit suite runs a test file or folder given to `lmc lit`, and the path lit is given
// for it, so that one .lir runs as ctest runs it, from any shell:
//  - lmc's own tests (tests/lit of the source this lmc was built from) run in the build
//    tree's exec root, whose lit.site.cfg.py CMake wrote (tests/lit/CMakeLists.txt);
//  - a test under a lit configuration of its own (a lit.site.cfg.py or lit.cfg.py in its
//    folder or above, e.g. a plugin's build tree) is given as it is;
//  - any other file or folder (a plugin's test/, a folder of .lir files) runs on the harness
//    of lmc_add_lit_test: its site configuration (cmake/lmc_lit.site.cfg.py.in) written
//    into a fresh exec root with this lmc, LLVM's FileCheck and the plugins given, loading
//    cmake/lmc_lit.cfg.py (both built into lmc, so an installed lmc needs no source tree).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace lmc::tools {

// What runs the tests: lit.py, the Python that runs it (and is %python), FileCheck
// (split-file and not are beside it), and this lmc.
struct LitTools {
  std::string lit, python, filecheck, lmc;
};

// Where tools/lmc/CMakeLists.txt says this build's tools and lmc's own suite are; the
// environment's LMC_LIT, LMC_FILECHECK and LMC_PYTHON before them. Throws lmc::Error naming
// a tool that is not there.
LitTools find_lit_tools();

class LitSuites {
 public:
  // `plugins`: pass plugin libraries, %plugin (the first) and %<name>_plugin in a suite of
  // the harness (liblmc_x.so: %lmc_x_plugin); `scratch`: a folder for its exec roots.
  LitSuites(LitTools tools, std::vector<std::string> plugins, std::string scratch);

  // The path lit runs for `path` (a test file or a folder of them). Throws lmc::Error when
  // it does not exist, or is lmc's own and the build tree has no suite configured.
  std::string lit_path(const std::string& path);

 private:
  std::string harness_exec_root(const std::string& source_root);

  LitTools tools_;
  std::vector<std::string> plugins_;
  std::string scratch_;
  std::map<std::string, std::string> exec_roots_;  // a harness suite's source root -> its exec root
};

}  // namespace lmc::tools
