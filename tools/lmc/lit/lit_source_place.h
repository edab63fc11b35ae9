// A diagnostic about a file that split-file cut out of a lit test names the test file's
// line too. A lit test keeps its graph and pass files in itself (`//--- graph.lir`,
// split by `split-file %s %t`), so lmc reads parts under the test's temporary folder:
// <exec root>/<folder>/Output/<test>.tmp/<part>. That folder is a build tree's, or, under
// `lmc lit` on a plugin's tests, a scratch folder deleted when lit ends, and its line
// numbers are the part's: a failure would name a place no one can open. The lit
// configurations (tests/lit/lit.cfg.py, cmake/lmc_lit.cfg.py) say in LMC_LIT_ROOTS where
// the suite's sources and exec root are ("SOURCE:EXEC"), and a part's line N is then line
// M + N of the test, M the line of its `--- <part>` marker.
#pragma once
#include <string>

namespace lmc::tools {

// `text` with " (lit test: <test file>:<test line>)" after each line naming a
// "<part path>:<line>" under LMC_LIT_ROOTS's exec root (the line as it was, so what a test
// expects of it still matches); unchanged without LMC_LIT_ROOTS, or where the test file has
// no marker of that part.
std::string lit_source_places(const std::string& text);

}  // namespace lmc::tools
