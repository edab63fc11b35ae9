// The flags that constrain what `lmc run` and `lmc chat` generate, as llama.cpp's:
// --grammar TEXT and --grammar-file FILE (a GBNF grammar, structured/gbnf_grammar.h), and
// -j/--json-schema TEXT and -jf/--json-schema-file FILE (a JSON schema, compiled as
// response_format's: structured/schema_compiler.h). `lmc serve` takes the grammar flags as
// the grammar of the requests that give none.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "runtime/token_constraint.h"
#include "structured/gbnf_grammar.h"
#include "structured/json_grammar.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

// `serve`: as lmc serve's flags, the grammar of the requests that give no answer format.
std::vector<FlagSpec> grammar_flag_specs(bool serve = false);
std::vector<FlagSpec> json_schema_flag_specs();

// The grammar --grammar or --grammar-file gives, compiled; null when neither is given.
// Throws UsageError for both at once, lmc::Error naming the flag or file and the
// grammar's line and column when it does not compile.
std::shared_ptr<const structured::GbnfGrammar> grammar_flag(const Args& a);

// The grammar or schema the flags give, compiled once.
struct ConstraintFlags {
  std::shared_ptr<const structured::GbnfGrammar> grammar;
  std::shared_ptr<const structured::Grammar> schema;
};

// Reads and checks the flags, before the model is opened: a bad grammar or schema is the
// only output.
ConstraintFlags constraint_flags(const Args& a);

// What makes one generation's constraint from the flags' grammar or schema, over `tok`'s
// vocabulary (runtime::GenerateOptions::constraint); empty when none is given.
// `max_tokens` bounds a JSON answer (the schema's closing comes in time).
std::function<std::unique_ptr<runtime::TokenConstraint>()> constraint_maker(const ConstraintFlags& c,
                                                                            const models::Tokenizer& tok,
                                                                            int64_t max_tokens);

}  // namespace lmc::tools
