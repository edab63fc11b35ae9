#include "models/model_chat.h"

#include <filesystem>

#include "models/chat/chat_format.h"
#include "models/formats/gguf_file.h"
#include "models/formats/json.h"
#include "support/regular_file.h"

namespace lmc::models {
namespace {

namespace fs = std::filesystem;

// tokenizer_config.json's chat_template is a string, or a list of {name, template} of which
// "default" is the chat one.
std::string template_in_config(const json::Value& config) {
  const json::Value* t = config.find("chat_template");
  if (!t || t->is_null()) return "";
  if (t->is_string()) return t->as_string();
  for (const json::Value& named : t->as_array())
    if (named.at("name").as_string() == "default") return named.at("template").as_string();
  return "";
}

std::string hf_chat_template(const std::string& tokenizer_json) {
  fs::path dir = fs::path(tokenizer_json).parent_path();
  if (fs::is_regular_file(dir / "chat_template.jinja"))
    return read_regular_file((dir / "chat_template.jinja").string());
  fs::path config = dir / "tokenizer_config.json";
  if (!fs::is_regular_file(config)) return "";
  return template_in_config(json::Document::read_file(config.string()).root());
}

std::string weights_chat_template(const ModelDef& def, const WeightSource& weights) {
  if (const GgufFile* g = weights.gguf()) {
    const MetaValue* t = g->find("tokenizer.chat_template");
    return t ? g->get_string("tokenizer.chat_template") : "";
  }
  return def.tokenizer == "gguf" ? "" : hf_chat_template(def.tokenizer);
}

}  // namespace

ir::ChatFormat model_chat_format(const ModelDef& def, const WeightSource& weights) {
  std::string jinja = weights_chat_template(def, weights);
  ir::ChatFormat f = chat_format_of_template(jinja).value_or(def.chat);
  f.jinja = std::move(jinja);
  return f;
}

}  // namespace lmc::models
