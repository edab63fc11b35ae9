// A fusion pass as text: what a pass file says once parsed. A fusion pass in lmc only
// groups ops into a region (codegen writes the loop from the op table), so what its
// author decides is a pattern, guards and the ops to fuse; a pass file says exactly that:
//
//   pass fuse-residual
//   summary "add the residual in the producing kernel"
//   stat "fused {} residual adds"
//   match
//     %y = any(linear, region)
//     %r = add %x, %y
//   end
//   guard single-use %y
//   fuse %y, %r
//
// Rules (a `match` block, its guards, one `fuse` line) run in order, each over the whole
// graph. docs/writing-a-pass.md is the language's reference.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passes/api/op_pattern.h"
#include "passes/text/guard.h"

namespace lmc::passes::text {

struct FuseItem {
  std::string capture;         // the op computing it joins the region
  bool copy = false;           // copy(%h): a copy of its op for this region when others read it too
  TraitTest only_if = nullptr;  // `%d if TRAIT`: joins only when its op has the trait
};

struct Rule {
  int line = 0;  // of `match`
  std::shared_ptr<const OpPattern> pattern;
  std::string root;  // the last pattern line's first result: where remarks point
  std::vector<Guard> guards;
  std::vector<FuseItem> fuse;
};

struct PassFile {
  std::string file;
  std::string name, summary;
  int name_line = 0, name_col = 0;  // of the name on the `pass` line
  std::string stat = "fused {} regions";  // `{}` is the count
  std::vector<Rule> rules;
};

// Throws lmc::Error "file:LINE:COL: error: ..." on anything it cannot accept.
PassFile parse_pass_file(std::string_view text, const std::string& file);

}  // namespace lmc::passes::text
