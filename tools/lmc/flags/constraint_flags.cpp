#include "tools/lmc/flags/constraint_flags.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "structured/gbnf_token_constraint.h"
#include "structured/json_token_constraint.h"
#include "structured/schema_compiler.h"
#include "support/error.h"
#include "tools/lmc/generation/constraint_vocabulary.h"

namespace lmc::tools {

namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  if (!in || !(ss << in.rdbuf())) throw error_at(path, "cannot read the " + what);
  return ss.str();
}

// The text given inline (`text_flag`) or in a file (`file_flag`), and where it is from for
// an error: the flag, or the file's path.
std::optional<std::pair<std::string, std::string>> text_or_file(const Args& a, const char* text_flag,
                                                                const char* file_flag, const std::string& what) {
  if (a.has(text_flag) && a.has(file_flag))
    throw UsageError(std::string("give --") + text_flag + " or --" + file_flag + ", not both");
  if (auto t = a.get(text_flag)) return std::make_pair(*t, std::string("--") + text_flag);
  if (auto f = a.get(file_flag)) return std::make_pair(read_file(*f, what), *f);
  return std::nullopt;
}

std::shared_ptr<const structured::Grammar> schema_flag(const Args& a) {
  auto given = text_or_file(a, "json-schema", "json-schema-file", "JSON schema");
  if (!given) return nullptr;
  const auto& [text, from] = *given;
  nlohmann::ordered_json schema = nlohmann::ordered_json::parse(text, nullptr, false);
  if (schema.is_discarded()) throw error_at(from, "the JSON schema is not valid JSON");
  try {
    return structured::compile_schema(schema);
  } catch (const structured::SchemaError& e) {
    throw error_at(from, "the JSON schema at '" + e.pointer + "': " + e.what());
  }
}

}  // namespace

std::vector<FlagSpec> grammar_flag_specs(bool serve) {
  const std::string what = serve ? "the answer to a request that asks for no format (grammar, response_format, "
                                   "json_schema, tools) must be"
                                 : "the text must be";
  return {
      {"grammar", true,
       what + " of this GBNF grammar (llama.cpp's grammar language; its 'root' rule is the whole text)", "TEXT"},
      {"grammar-file", true, "as --grammar, the grammar read from FILE", "FILE"},
  };
}

std::vector<FlagSpec> json_schema_flag_specs() {
  return {
      {"json-schema", true, "the text must be JSON of this JSON schema (as response_format's)", "SCHEMA", false, "j"},
      {"json-schema-file", true, "as --json-schema, the schema read from FILE", "FILE", false, "", {}, {"jf"}},
  };
}

std::shared_ptr<const structured::GbnfGrammar> grammar_flag(const Args& a) {
  auto given = text_or_file(a, "grammar", "grammar-file", "grammar");
  if (!given) return nullptr;
  const auto& [text, from] = *given;
  try {
    return structured::compile_gbnf(text);
  } catch (const structured::GbnfError& e) {
    throw error_at(from + ":" + std::to_string(e.line) + ":" + std::to_string(e.column), e.message);
  }
}

ConstraintFlags constraint_flags(const Args& a) {
  ConstraintFlags c{grammar_flag(a), schema_flag(a)};
  const bool any = c.grammar || c.schema;
  if (c.grammar && c.schema) throw UsageError("give a grammar or a JSON schema, not both");
  if (any && a.get_int("draft-max", 0, 0, 7) > 0)
    throw UsageError("--draft-max does not apply with a grammar or a JSON schema");
  if (any && a.has("ignore-eos"))
    throw UsageError("--ignore-eos does not apply with a grammar or a JSON schema: the text ends where it does");
  return c;
}

std::function<std::unique_ptr<runtime::TokenConstraint>()> constraint_maker(const ConstraintFlags& c,
                                                                            const models::Tokenizer& tok,
                                                                            int64_t max_tokens) {
  if (!c.grammar && !c.schema) return {};
  auto vocab = constraint_vocabulary(tok);
  if (c.grammar)
    return [grammar = c.grammar, vocab] { return std::make_unique<structured::GbnfTokenConstraint>(grammar, vocab); };
  return [schema = c.schema, vocab, max_tokens] {
    return std::make_unique<structured::JsonTokenConstraint>(schema, vocab, max_tokens);
  };
}

}  // namespace lmc::tools
