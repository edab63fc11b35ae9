#include "models/chat/chat_format.h"

#include "support/error.h"

namespace lmc::models {
namespace {

struct Family {
  const char* name;
  // Substrings a template of this family contains; the first family whose markers all
  // occur wins, so the more specific spellings come first.
  std::vector<const char*> markers;
  ir::ChatFormat format;
};

ir::ChatFormat same_turn(const char* turn, bool trim = false) {
  return {"", turns_of(turn, {}, true), "", "", trim, ""};
}

ir::ChatFormat user_assistant(const char* user, const char* assistant, const char* system_merge, bool trim = false) {
  return {"", {{"user", user}, {"assistant", assistant}}, system_merge, "", trim, ""};
}

// Mistral's families differ in the spaces around [INST] (docs.mistral.ai, "Tokenization").
// Their templates write an answer as ' ' + content, but nothing opens it: the space is the
// model's own first token ("▁Hi"), so here it belongs to the content. Where a format has
// no system turn, the system message opens the first user message.
const std::vector<Family>& families() {
  static const std::vector<Family> table = [] {
    std::vector<Family> t = {
        {"chatml", {"<|im_start|>"}, same_turn("<|im_start|>{role}\n{content}<|im_end|>\n")},
        {"llama3",
         {"<|start_header_id|>", "<|end_header_id|>"},
         same_turn("<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>", true)},
        {"gemma",
         {"<start_of_turn>"},
         {"", turns_of("<start_of_turn>{role}\n{content}<end_of_turn>\n", {{"assistant", "model"}}, false),
          "{system}\n\n{content}", "", true, ""}},
        {"phi3", {"<|assistant|>", "<|end|>"}, same_turn("<|{role}|>\n{content}<|end|>\n")},
        {"mistral-v7",
         {"[SYSTEM_PROMPT]", "[INST] "},
         {"",
          {{"system", "[SYSTEM_PROMPT] {content}[/SYSTEM_PROMPT]"},
           {"user", "[INST] {content}[/INST]"},
           {"assistant", "{content}</s>"}},
          "",
          "",
          false,
          ""}},
        {"mistral-v7-tekken",
         {"[SYSTEM_PROMPT]"},
         {"",
          {{"system", "[SYSTEM_PROMPT]{content}[/SYSTEM_PROMPT]"},
           {"user", "[INST]{content}[/INST]"},
           {"assistant", "{content}</s>"}},
          "",
          "",
          false,
          ""}},
        // Cohere's Command R: no marker of its own beyond its turn tokens.
        {"command-r",
         {"<|START_OF_TURN_TOKEN|>", "<|CHATBOT_TOKEN|>"},
         {"",
          turns_of("<|START_OF_TURN_TOKEN|><|{role}|>{content}<|END_OF_TURN_TOKEN|>",
                   {{"system", "SYSTEM_TOKEN"}, {"user", "USER_TOKEN"}, {"assistant", "CHATBOT_TOKEN"}}, true),
          "", "", true, ""}},
        {"mistral-v1",
         {" [INST] "},
         user_assistant(" [INST] {content} [/INST]", "{content}</s>", "{system}\n\n{content}")},
        {"mistral-v3",
         {"[INST] "},
         user_assistant("[INST] {content}[/INST]", "{content}</s>", "{system}\n\n{content}")},
        {"mistral-v3-tekken",
         {"[INST]"},
         user_assistant("[INST]{content}[/INST]", "{content}</s>", "{system}\n\n{content}")},
    };
    for (auto& f : t) f.format.family = f.name;
    return t;
  }();
  return table;
}

// The texts a Jinja template can emit verbatim: its quoted string literals (escapes
// undone) and the raw text between its tags.
std::vector<std::string> template_literals(std::string_view t) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < t.size()) {
    size_t tag = t.find_first_of('{', i);
    while (tag != std::string_view::npos &&
           (tag + 1 >= t.size() || (t[tag + 1] != '{' && t[tag + 1] != '%' && t[tag + 1] != '#')))
      tag = t.find('{', tag + 1);
    out.emplace_back(t.substr(i, tag == std::string_view::npos ? std::string_view::npos : tag - i));
    if (tag == std::string_view::npos) break;
    const char close = t[tag + 1] == '{' ? '}' : t[tag + 1];
    for (i = tag + 2; i < t.size() && !(t[i] == close && i + 1 < t.size() && t[i + 1] == '}');) {
      if (t[i] != '\'' && t[i] != '"') {
        ++i;
        continue;
      }
      const char quote = t[i++];
      std::string lit;
      for (; i < t.size() && t[i] != quote; ++i) {
        if (t[i] != '\\' || i + 1 >= t.size()) {
          lit += t[i];
          continue;
        }
        const char e = t[++i];
        lit += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      }
      ++i;
      out.push_back(std::move(lit));
    }
    i += 2;
  }
  return out;
}

std::string split_at_content(const std::string& turn, bool before) {
  size_t at = turn.find("{content}");
  return before ? turn.substr(0, at) : turn.substr(at + 9);
}

// A literal holding a whole system turn — opening, message, closing — is the message the
// template adds when the conversation has none.
std::string default_system_of(std::string_view jinja, const ir::ChatFormat& f) {
  auto it = f.turns.find("system");
  if (it == f.turns.end()) return "";
  const std::string open = split_at_content(it->second, true), close = split_at_content(it->second, false);
  for (const std::string& lit : template_literals(jinja)) {
    size_t a = lit.find(open);
    if (a == std::string::npos) continue;
    size_t b = lit.find(close, a + open.size());
    if (b != std::string::npos && b > a + open.size()) return lit.substr(a + open.size(), b - a - open.size());
  }
  return "";
}

std::string trimmed(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  size_t a = s.find_first_not_of(ws);
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(ws) - a + 1);
}

}  // namespace

std::map<std::string, std::string> turns_of(const std::string& turn, const std::map<std::string, std::string>& names,
                                            bool system_turn) {
  std::map<std::string, std::string> turns;
  for (const char* role : {"system", "user", "assistant"}) {
    if (!system_turn && std::string_view(role) == "system") continue;
    auto it = names.find(role);
    std::string t = turn;
    for (size_t at = t.find("{role}"); at != std::string::npos; at = t.find("{role}", at))
      t.replace(at, 6, it == names.end() ? role : it->second);
    turns[role] = t;
  }
  return turns;
}

std::optional<ir::ChatFormat> chat_family(std::string_view name) {
  for (const auto& f : families())
    if (name == f.name) return f.format;
  return std::nullopt;
}

std::vector<std::string> chat_family_names() {
  std::vector<std::string> out;
  for (const auto& f : families()) out.emplace_back(f.name);
  return out;
}

std::optional<ir::ChatFormat> chat_format_of_template(std::string_view jinja) {
  for (const auto& f : families()) {
    bool all = true;
    for (const char* m : f.markers) all = all && jinja.find(m) != std::string_view::npos;
    if (!all) continue;
    ir::ChatFormat out = f.format;
    out.default_system = default_system_of(jinja, out);
    return out;
  }
  return std::nullopt;
}

std::string render_turn(const ir::ChatFormat& f, const std::string& role, std::string content) {
  auto it = f.turns.find(role);
  if (it == f.turns.end()) throw Error("chat: the " + f.family + " format has no '" + role + "' turn");
  if (f.trim) content = trimmed(content);
  return split_at_content(it->second, true) + content + split_at_content(it->second, false);
}

std::string merged_user_turn(const ir::ChatFormat& f, const std::string& system, std::string user) {
  if (f.trim) user = trimmed(user);
  const std::string& m = f.system_merge;
  size_t s = m.find("{system}"), c = m.find("{content}");
  std::string message = s < c ? m.substr(0, s) + system + m.substr(s + 8, c - s - 8) + user + m.substr(c + 9)
                              : m.substr(0, c) + user + m.substr(c + 9, s - c - 9) + system + m.substr(s + 8);
  const std::string& turn = f.turns.at("user");
  return split_at_content(turn, true) + message + split_at_content(turn, false);
}

std::string answer_prefix(const ir::ChatFormat& f) { return split_at_content(f.turns.at("assistant"), true); }
std::string answer_suffix(const ir::ChatFormat& f) { return split_at_content(f.turns.at("assistant"), false); }

}  // namespace lmc::models
