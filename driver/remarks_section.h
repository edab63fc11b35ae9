// The compile's remarks, kept in its artifact (the "remarks" section, JSON): a run that
// opens the artifact can then put each remark beside the time of the kernel it concerns
// (lmc run --profile --report). An artifact written before the section existed has none.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "passes/api/pass_context.h"

namespace lmc::driver {

std::string encode_remarks(const std::vector<passes::Remark>& remarks);
// Throws lmc::Error naming `where` on text that is not such a list.
std::vector<passes::Remark> decode_remarks(std::string_view text, const std::string& where);

}  // namespace lmc::driver
