// DRY's sequence breakers, strings, as the tokens runtime/dry_penalty.h matches: a token
// whose text holds a breaker is one by itself; a token whose text ends with a breaker's
// beginning is one when the tokens of the breaker's rest follow it (as llama.cpp reads them).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "runtime/dry_penalty.h"

namespace lmc::tools {

// The same table for the same tokenizer and breakers as the call before (read once).
std::shared_ptr<const runtime::DryBreakers> dry_breakers(const models::Tokenizer& tok,
                                                         const std::vector<std::string>& breakers);

}  // namespace lmc::tools
