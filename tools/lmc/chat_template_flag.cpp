#include "tools/lmc/chat_template_flag.h"

#include <cstdio>

#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::tools {
namespace {

models::SpecialTokenText special_token_text(const models::Tokenizer& tok) {
  return {tok.bos() >= 0 ? tok.token_text(tok.bos()) : "", tok.eos() >= 0 ? tok.token_text(tok.eos()) : ""};
}

}  // namespace

FlagSpec chat_template_flag_spec() {
  return {"chat-template-file", true, "render chats with this Jinja chat template instead of the model's own", "F"};
}

models::ChatTemplate chat_template(const driver::LoadedModel& m, const Args& a, const std::string& model) {
  ir::ChatFormat format = m.info.chat;
  std::string name = model + ":chat_template";
  if (auto file = a.get("chat-template-file")) {
    format.jinja = read_regular_file(*file);
    format.default_system.clear();  // the family's, recognized in the file's own template
    name = *file;
  }
  if (format.empty())
    throw Error(model +
                ": error: the model has no chat format (its weights carry no chat template and its model "
                "definition no 'chat:'); give one with --chat-template-file");
  models::ChatTemplate t(std::move(format), name, special_token_text(*m.tokenizer));
  if (!t.own_template())
    std::fprintf(stderr, "lmc: %s carries no chat template; falling back to %s\n", model.c_str(),
                 t.description().c_str());
  return t;
}

}  // namespace lmc::tools
