// The chat formats lmc knows, as data, and what turns them into text. A model's format
// comes from its weights' own chat template when that template is one of the known
// families — recognized by its content, as llama.cpp recognizes them, since lmc does not
// run Jinja — and otherwise from its model definition (`chat:` in the YAML).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/chat_format.h"

namespace lmc::models {

// The known family of this name; nullopt for others.
std::optional<ir::ChatFormat> chat_family(std::string_view name);
std::vector<std::string> chat_family_names();

// The family a Jinja chat template renders, with the default system message it carries
// (SmolLM2's and Qwen2.5's templates add one when the conversation has none); nullopt
// when the template is none of the known families.
std::optional<ir::ChatFormat> chat_format_of_template(std::string_view jinja);

// The turns of a format written as one turn text: "{role}" becomes each role's name in
// the model's own words (`names`, e.g. assistant -> model; a role not named keeps its
// own), for system, user and assistant, or user and assistant only.
std::map<std::string, std::string> turns_of(const std::string& turn, const std::map<std::string, std::string>& names,
                                            bool system_turn);

// One turn's text. Roles other than system, user and assistant are refused (lmc::Error).
std::string render_turn(const ir::ChatFormat& f, const std::string& role, std::string content);
// The first user turn of a format without a system turn: the system message joins the
// user's as the format's system_merge says.
std::string merged_user_turn(const ir::ChatFormat& f, const std::string& system, std::string user);
// What opens the model's answer (the assistant turn up to "{content}") and what closes it.
std::string answer_prefix(const ir::ChatFormat& f);
std::string answer_suffix(const ir::ChatFormat& f);

}  // namespace lmc::models
