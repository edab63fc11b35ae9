#include "tools/serve/request/template_fields.h"

#include "support/error.h"
#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

Json template_kwargs(const Json& body) {
  const Json* v = given_field(body, "chat_template_kwargs");
  if (!v) return Json::object();
  if (!v->is_object()) invalid_field("chat_template_kwargs", "'chat_template_kwargs' must be an object");
  for (const char* own : {"messages", "tools", "add_generation_prompt", "bos_token", "eos_token"})
    if (v->contains(own))
      invalid_field("chat_template_kwargs", std::string("'chat_template_kwargs' may not set '") + own +
                                                "': the request gives it to the template itself");
  if (v->contains("enable_thinking") && !(*v)["enable_thinking"].is_boolean())
    invalid_field("chat_template_kwargs", "'chat_template_kwargs.enable_thinking' must be true or false");
  return *v;
}

}  // namespace

void check_server_template_kwargs(const Json& kwargs) {
  try {
    template_kwargs(Json{{"chat_template_kwargs", kwargs}});
  } catch (const ApiError& e) {
    throw Error(std::string("--chat-template-kwargs: ") + e.what());
  }
}

void add_server_template_kwargs(const Json& kwargs, ServeRequest& r) {
  for (const auto& [key, value] : kwargs.items())
    if (!r.template_variables.contains(key)) r.template_variables[key] = value;
}

void template_fields(const Json& body, ServeRequest& r) {
  if (const Json* v = given_field(body, "add_generation_prompt")) {
    if (!v->is_boolean()) invalid_field("add_generation_prompt", "'add_generation_prompt' must be true or false");
    r.add_generation_prompt = v->get<bool>();
  }
  // vLLM's spelling of what a last assistant message asks for already: its text continued.
  if (const Json* v = given_field(body, "continue_final_message")) {
    if (!v->is_boolean()) invalid_field("continue_final_message", "'continue_final_message' must be true or false");
    if (v->get<bool>() && given_field(body, "add_generation_prompt") && r.add_generation_prompt)
      invalid_field("continue_final_message",
                    "'continue_final_message' and 'add_generation_prompt' cannot both be true: the answer either "
                    "continues the last message or follows it");
  }
  r.template_variables = template_kwargs(body);
  if (const Json* v = given_field(body, "reasoning_effort")) {
    if (!v->is_string() || v->get<std::string>().empty())
      invalid_field("reasoning_effort", "'reasoning_effort' must be a string such as \"low\", \"high\" or \"none\"");
    if (*v == "none")
      r.template_variables["enable_thinking"] = false;
    else
      r.template_variables["reasoning_effort"] = *v;
  }
  if (const Json* v = given_field(body, "reasoning_format")) {
    const auto format = v->is_string() ? reasoning_format_named(v->get<std::string>()) : std::nullopt;
    if (!format) invalid_field("reasoning_format", "'reasoning_format' must be " + reasoning_format_names());
    r.reasoning_format = format;
  }
}

}  // namespace lmc::tools
