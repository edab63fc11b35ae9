// A chat template: Jinja source parsed once, rendered against a JSON context (messages,
// tools, add_generation_prompt, bos_token...) the way Hugging Face's apply_chat_template
// renders it with Jinja2: trim_blocks, lstrip_blocks, the globals raise_exception,
// strftime_now, range, dict and namespace, and tojson as HF defines it. Rendering is
// bounded (Limits); every error is an lmc::Error "<name>:<line>: error: <what>" naming an
// unknown filter, test, method or tag by name. What the parsed template reads and holds
// is told once, at parse (static_facts.h).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jinja/ast.h"
#include "jinja/static_facts.h"

namespace lmc::jinja {

struct Limits {
  size_t max_output_bytes = size_t{16} << 20;   // the rendered text, and any one string or list
  uint64_t max_loop_iterations = 1000000;       // summed over every loop of a render
  int max_call_depth = 32;                      // macros calling macros
  // Bytes of the strings and elements of the lists and dicts that expressions yield,
  // summed over the render: what bounds the work of string and list operations in loops.
  uint64_t max_work = uint64_t{1} << 30;
};

class Template {
 public:
  Template(std::string_view source, std::string name);
  std::string render(const nlohmann::ordered_json& context, const Limits& limits = {}) const;
  const std::string& name() const { return name_; }
  // The names the template reads that neither it nor the globals define: the context
  // keys it can use (messages, tools, add_generation_prompt...), sorted.
  const std::set<std::string>& referenced_names() const { return facts_.free_names; }
  // The attribute names it reads of any value (`m.tool_calls`, `m['tool_calls']`), sorted.
  const std::set<std::string>& read_attributes() const { return facts_.attributes; }
  // Its raw text and string literals.
  const std::vector<std::string>& literals() const { return facts_.literals; }

 private:
  std::string name_;
  Body body_;
  StaticFacts facts_;
};

}  // namespace lmc::jinja
