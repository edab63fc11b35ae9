// Test tool: renders a Jinja template against a JSON context with lmc's engine, so that
// test_jinja_differential.py can compare it with Python's Jinja2 byte for byte.
//   jinja_render TEMPLATE.jinja CONTEXT.json
// prints the rendered text exactly (no newline added); an error prints its one line on
// stderr and exits 1.
#include <iostream>

#include <nlohmann/json.hpp>

#include "jinja/template.h"
#include "support/error.h"
#include "support/regular_file.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: jinja_render TEMPLATE.jinja CONTEXT.json\n";
    return 2;
  }
  try {
    const lmc::jinja::Template t(lmc::read_regular_file(argv[1]), argv[1]);
    const std::string context_text = lmc::read_regular_file(argv[2]);
    const auto context = nlohmann::ordered_json::parse(context_text, nullptr, false);
    if (context.is_discarded()) throw lmc::error_at(argv[2], "not JSON");
    std::cout << t.render(context);
  } catch (const lmc::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
