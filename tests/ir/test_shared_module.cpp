// open_shared_module: the entry of a module found in one of its places, and an error that
// names every place tried and why it failed. libm stands in for a module: every process
// can open it, and it has a known symbol.
#include <gtest/gtest.h>

#include "support/error.h"
#include "support/shared_module.h"
#include "tests/models/expect_error.h"

namespace lmc {
namespace {

TEST(SharedModule, ReturnsTheEntryOfTheFirstPlaceThatHasIt) {
  void* entry = open_shared_module({"the maths library", "liblmc-test-absent.so", "cos", "libm.so.6"});
  ASSERT_NE(entry, nullptr);
  auto cosine = reinterpret_cast<double (*)(double)>(entry);
  EXPECT_EQ(cosine(0.0), 1.0);
}

TEST(SharedModule, AbsentModuleNamesWhatAndEveryPlaceTried) {
  try {
    open_shared_module({"a test module", "liblmc-test-absent.so", "lmc_test_v1", "/nonexistent/liblmc-test-absent.so"});
    FAIL() << "opened a module that does not exist";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("lmc: error: cannot load a test module (liblmc-test-absent.so); tried ", 0), 0u) << what;
    EXPECT_NE(what.find("/nonexistent/liblmc-test-absent.so: cannot open shared object file"), std::string::npos)
        << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;  // one line, as the CLI prints it
  }
}

TEST(SharedModule, ModuleWithoutTheEntryIsOfAnotherVersion) {
  test::expect_error([] { open_shared_module({"a test module", "liblmc-test-absent.so", "lmc_test_v1", "libm.so.6"}); },
                     {"libm.so.6: no lmc_test_v1 (a module of another lmc version)"});
}

}  // namespace
}  // namespace lmc
