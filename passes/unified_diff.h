// A unified diff of two texts by lines (as `diff -u` prints it), for
// --print-changed=diff: what a pass changed, without the unchanged thousand lines around it.
#pragma once
#include <string>

namespace lmc::passes {

// "--- <from>\n+++ <to>\n@@ -a,b +c,d @@\n ..." with `context` unchanged lines around each
// change; "" when the texts are equal.
std::string unified_diff(const std::string& a, const std::string& b, const std::string& from, const std::string& to,
                         int context = 3);

}  // namespace lmc::passes
