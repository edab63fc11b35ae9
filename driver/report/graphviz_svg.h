// A Graphviz picture laid out in this process: dot text in, SVG text out, through
// Graphviz's own library (libgvc) rather than the `dot` program, so a report needs no
// program on PATH and spawns nothing. The only file that includes Graphviz's headers.
#pragma once
#include <string>

namespace lmc::report {

// Lays `dot` out with the dot engine and renders it as SVG. Throws lmc::Error
// "graphviz: error: ..." with Graphviz's own message when the text does not parse or the
// layout plugins are missing.
std::string render_svg(const std::string& dot);

}  // namespace lmc::report
