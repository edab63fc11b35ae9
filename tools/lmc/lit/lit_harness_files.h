// The lit harness of plugins' tests (cmake/lmc_lit.cfg.py, and the site configuration
// template cmake/lmc_lit.site.cfg.py.in), built into lmc as text by cmake/embed_text.cmake,
// so that `lmc lit` writes the same configuration lmc_add_lit_test does, installed or not.
#pragma once
#include <string_view>

namespace lmc::tools {

std::string_view lit_harness_config();
std::string_view lit_site_template();

}  // namespace lmc::tools
