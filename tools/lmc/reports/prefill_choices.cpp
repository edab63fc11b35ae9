#include "tools/lmc/reports/prefill_choices.h"

#include "support/untrusted_text.h"

namespace lmc::tools {

namespace {

constexpr const char* kPass = "tune-prefill";

}  // namespace

void print_prefill_choices(const std::vector<passes::Remark>& remarks, std::FILE* out) {
  bool any = false;
  for (const passes::Remark& r : remarks) {
    if (r.pass != kPass) continue;
    if (!any) std::fprintf(out, "prefill kernels (%s):\n", kPass);
    any = true;
    // An artifact's remarks are the file's text: printed so they cannot drive the terminal.
    std::fprintf(out, "  %s\n", printable(r.text().substr(r.pass.size() + 2)).c_str());
  }
  if (!any)
    std::fprintf(out, "prefill kernels: the defaults (%s made no choice: --tune=off, or an older artifact)\n", kPass);
}

}  // namespace lmc::tools
