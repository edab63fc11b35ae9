#include "tools/lmc/flags/chat_template_flag.h"

#include <cstdio>

#include "models/chat/chat_format.h"
#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::tools {
namespace {

models::SpecialTokenText special_token_text(const models::Tokenizer& tok) {
  return {tok.bos() >= 0 ? tok.token_text(tok.bos()) : "", tok.eos() >= 0 ? tok.token_text(tok.eos()) : ""};
}

}  // namespace

std::vector<FlagSpec> chat_template_flag_specs() {
  std::string names;
  for (const auto& n : models::chat_family_names()) names += (names.empty() ? "" : ", ") + n;
  return {{"chat-template-file", true, "render chats with this Jinja chat template instead of the model's own", "F"},
          {"chat-template", true,
           "render chats in llama.cpp's built-in format NAME instead of the model's own (" + names + ")", "NAME"}};
}

models::ChatTemplate chat_template(const driver::LoadedModel& m, const Args& a, const std::string& model) {
  ir::ChatFormat format = m.info.chat;
  std::string name = model + ":chat_template";
  if (a.has("chat-template") && a.has("chat-template-file"))
    throw UsageError("--chat-template and --chat-template-file each name the template: give one");
  if (auto named = a.get("chat-template")) {
    auto family = models::chat_family(*named);
    if (!family) {
      std::string names;
      for (const auto& n : models::chat_family_names()) names += (names.empty() ? "" : ", ") + n;
      throw UsageError("--chat-template: unknown format '" + *named + "' (" + names + ")");
    }
    format = *family;
    name = *named;
  } else if (auto file = a.get("chat-template-file")) {
    format.jinja = read_regular_file(*file);
    format.default_system.clear();  // the family's, recognized in the file's own template
    name = *file;
  }
  if (format.empty())
    throw Error(model +
                ": error: the model has no chat format (its weights carry no chat template and its model "
                "definition no 'chat:'); give one with --chat-template-file");
  models::ChatTemplate t(std::move(format), name, special_token_text(*m.tokenizer));
  if (!t.own_template() && !a.has("chat-template"))
    std::fprintf(stderr, "lmc: %s carries no chat template; falling back to %s\n", model.c_str(),
                 t.description().c_str());
  return t;
}

}  // namespace lmc::tools
