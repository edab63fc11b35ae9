#include "driver/report/comparison_section.h"

#include <cstdio>
#include <string>

#include "driver/report/html_text.h"
#include "driver/report/kernel_time_rows.h"
#include "driver/report/rank_test.h"
#include "driver/report/speed_figure.h"

namespace lmc::report {

namespace {

std::string number(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "812.4 (790.1 – 830.9)": the median with the least and most runs.
std::string spread_text(const std::vector<double>& runs) {
  const RunSpread s = run_spread(runs);
  return number("%.1f", s.median) + " (" + number("%.1f", s.min) + " – " + number("%.1f", s.max) + ")";
}

void write_agreement(std::ostream& os, const PipelineComparison& c) {
  os << "<p id=\"agreement\" class=\"" << (c.agree ? "agree" : "disagree") << "\"><strong>"
     << (c.agree ? "agree" : "disagree") << "</strong>: " << html_escape(c.compared) << " of B against A: max_abs "
     << number("%.4g", c.max_abs) << ", max_rel " << number("%.4g", c.max_rel) << ", cosine "
     << number("%.6f", c.cosine) << ", tolerance " << number("%g", c.tolerance) << "</p>\n";
}

void write_speed(std::ostream& os, const PipelineComparison& c) {
  const std::string unit = html_escape(c.speed.front().unit);
  const double level = figure_level(c);
  os << "<table class=\"comparison-speed\">\n<tr><th>test</th><th>A " << unit << " median (min – max)</th>"
     << "<th>B " << unit << " median (min – max)</th><th>B / A</th><th>p</th><th>verdict</th></tr>\n";
  for (const auto& f : c.speed)
    os << "<tr><td>" << html_escape(f.test) << "</td><td class=\"num\">" << spread_text(f.a)
       << "</td><td class=\"num\">" << spread_text(f.b) << "</td><td class=\"num\">" << number("%.3f", speed_ratio(f))
       << "</td><td class=\"num\">" << number("%.2g", mann_whitney(f.a, f.b).p) << "</td><td>"
       << figure_verdict(f, level) << "</td></tr>\n";
  os << "</table>\n<p id=\"verdict\">" << html_escape(speed_verdict(c)) << "</p>\n";
}

// "1.234 (1.200 – 1.301)", "—" where the pipeline has no such kernel.
std::string ms_cell(int64_t calls, double ms, const std::vector<double>& runs) {
  if (!calls) return "—";
  const RunSpread s = run_spread(runs);
  return number("%.3f", ms) + " (" + number("%.3f", s.min) + " – " + number("%.3f", s.max) + ")";
}

void write_kernels(std::ostream& os, const PipelineComparison& c) {
  os << "<p class=\"meta\">" << html_escape(c.kernel_note) << "</p>\n"
     << "<table class=\"comparison-kernels\">\n<tr><th>kernel</th><th>op</th><th>in</th><th>calls A</th>"
     << "<th>calls B</th><th>ms A (min – max)</th><th>ms B (min – max)</th><th>B − A ms</th><th>p</th></tr>\n";
  for (const auto& k : c.kernels)
    os << "<tr><td><code>" << html_escape(k.symbol) << "</code></td><td>" << html_escape(k.op) << "</td><td>"
       << kernel_presence(k) << "</td><td class=\"num\">" << k.calls_a << "</td><td class=\"num\">" << k.calls_b
       << "</td><td class=\"num\">" << ms_cell(k.calls_a, k.ms_a, k.runs_a) << "</td><td class=\"num\">"
       << ms_cell(k.calls_b, k.ms_b, k.runs_b) << "</td><td class=\"num\">" << number("%+.3f", k.ms_b - k.ms_a)
       << "</td><td class=\"num\">" << number("%.2g", k.p) << "</td></tr>\n";
  os << "</table>\n";
}

}  // namespace

void write_comparison(std::ostream& os, const PipelineComparison& c) {
  os << "<section id=\"comparison\">\n<h2>Pipelines compared</h2>\n"
     << "<p class=\"meta\">A: <code>" << html_escape(c.a) << "</code></p>\n"
     << "<p class=\"meta\">B: <code>" << html_escape(c.b) << "</code></p>\n";
  write_agreement(os, c);
  if (!c.speed.empty()) write_speed(os, c);
  if (!c.kernels.empty()) write_kernels(os, c);
  os << "</section>\n";
}

}  // namespace lmc::report
