#include "driver/report/html_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "driver/report/comparison_section.h"
#include "driver/report/html_text.h"
#include "driver/report/ir_line.h"
#include "driver/report/report_style.h"

namespace lmc::report {

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string joined(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

void write_head(std::ostream& os, const CompileReport& r) {
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>lmc report: " << html_escape(r.title) << "</title>\n<style>" << kReportStyle << "</style>\n</head>\n";
}

void write_header(std::ostream& os, const CompileReport& r) {
  os << "<header>\n<h1>lmc report: " << html_escape(r.title) << "</h1>\n";
  if (!r.command.empty()) os << "<p class=\"meta\">command: <code>" << html_escape(r.command) << "</code></p>\n";
  for (const auto& loaded : r.loaded_passes)
    os << "<p class=\"meta\">pass loaded: <code class=\"loaded-pass\">" << html_escape(loaded) << "</code></p>\n";
  if (!r.pipeline.empty())
    os << "<p class=\"meta\">pipeline: <code id=\"pipeline\">" << html_escape(r.pipeline) << "</code></p>\n";
  if (!r.target.empty()) os << "<p class=\"meta\">kernels for <code>" << html_escape(r.target) << "</code></p>\n";
  os << "<nav><a href=\"#passes\">passes</a><a href=\"#kernels\">kernels</a>"
     << (r.layers.empty() ? "" : "<a href=\"#layers\">layers</a>")
     << (r.profile.empty() ? "" : "<a href=\"#profile\">profile</a>")
     << (r.ranked_remarks.empty() ? "" : "<a href=\"#remarks\">remarks by time</a>")
     << (r.comparison ? "<a href=\"#comparison\">pipelines compared</a>" : "") << "</nav>\n</header>\n";
}

void write_pass_table(std::ostream& os, const CompileReport& r) {
  os << "<section id=\"passes\">\n<h2>Passes</h2>\n";
  if (r.passes.empty()) {
    os << "<p class=\"note\">No passes ran here: a run opens a compiled model (lmc compile --report shows its "
       << "passes).</p>\n";
    return;
  }
  os << "<table class=\"pass-list\">\n"
     << "<tr><th>#</th><th>pass</th><th>changed</th><th>ms</th><th>remarks</th><th>statistics</th></tr>\n";
  for (const auto& p : r.passes)
    os << "<tr class=\"" << (p.changed ? "changed" : "unchanged") << "\"><td class=\"num\">" << p.index
       << "</td><td><a href=\"#pass-" << p.index << "\">" << html_escape(p.name) << "</a></td><td>"
       << (p.changed ? "yes" : "no") << "</td><td class=\"num\">" << fixed(p.seconds * 1e3, 2)
       << "</td><td class=\"num\">" << p.remarks.size() << "</td><td>" << html_escape(joined(p.stats, "; "))
       << "</td></tr>\n";
  os << "</table>\n";
}

const char* diff_class(const std::string& line) {
  if (line.starts_with("+++") || line.starts_with("---")) return "file";
  if (line.starts_with("@@")) return "hunk";
  if (line.starts_with("+")) return "add";
  if (line.starts_with("-")) return "del";
  return "ctx";
}

// The pass's remarks by the value they are about.
std::multimap<std::string, const RemarkEntry*> remarks_by_value(const std::vector<RemarkEntry>& remarks) {
  std::multimap<std::string, const RemarkEntry*> out;
  for (const auto& m : remarks) out.emplace(m.value, &m);
  return out;
}

// A diff line, and under a line that defines a value (after the pass: not a removed
// line) the remarks about that value.
void write_diff_line(std::ostream& os, const std::string& line,
                     const std::multimap<std::string, const RemarkEntry*>& remarks) {
  os << "<span class=\"" << diff_class(line) << "\">" << html_escape(line) << "</span>";
  if (remarks.empty() || line.starts_with("-") || line.starts_with("@@")) return;
  for (const auto& v : defined_values(line, true))
    for (auto [it, end] = remarks.equal_range(v); it != end; ++it)
      os << "<span class=\"remark-inline\">    ^ remark: " << html_escape(it->second->message) << "</span>";
}

void write_diff(std::ostream& os, const std::string& diff, const std::vector<RemarkEntry>& remarks) {
  os << "<pre class=\"diff\">";
  const auto by_value = remarks_by_value(remarks);
  std::istringstream lines(diff);
  std::string line;
  size_t n = 0, left_out = 0;
  while (std::getline(lines, line))
    if (++n > kMaxDiffLines)
      ++left_out;
    else
      write_diff_line(os, line, by_value);
  os << "</pre>\n";
  if (left_out) os << "<p class=\"note\">" << left_out << " more lines of the diff left out</p>\n";
}

void write_remarks(std::ostream& os, const std::vector<RemarkEntry>& remarks) {
  os << "<ul class=\"remarks\">\n";
  for (const auto& m : remarks) {
    os << "<li class=\"remark\"><span class=\"remark-value\">" << html_escape(m.value) << "</span> "
       << html_escape(m.message);
    if (!m.op_line.empty()) os << "<code class=\"remark-op\">" << html_escape(m.op_line) << "</code>";
    os << "</li>\n";
  }
  os << "</ul>\n";
}

void write_pictures(std::ostream& os, const std::vector<Picture>& pictures) {
  os << "<div class=\"pictures\">\n";
  for (const auto& p : pictures)
    os << "<figure><img class=\"graph\" alt=\"" << html_escape(p.caption) << "\" src=\"" << svg_data_uri(p.svg)
       << "\"><figcaption>" << html_escape(p.caption) << "</figcaption></figure>\n";
  os << "</div>\n";
}

void write_pass(std::ostream& os, const PassStep& p) {
  os << "<details class=\"pass\" id=\"pass-" << p.index << "\"" << (p.changed ? " open" : "") << "><summary>" << p.index
     << ". " << html_escape(p.name) << (p.changed ? "" : " (unchanged)") << "</summary>\n<div class=\"body\">\n";
  if (!p.stats.empty()) os << "<p class=\"stats\">" << html_escape(joined(p.stats, "; ")) << "</p>\n";
  if (!p.diff.empty()) write_diff(os, p.diff, p.remarks);
  if (!p.remarks.empty()) write_remarks(os, p.remarks);
  if (!p.pictures.empty()) write_pictures(os, p.pictures);
  os << "</div></details>\n";
}

// Up to `max_lines` lines of `text`, and how many were left out.
std::pair<std::string, size_t> first_lines(const std::string& text, size_t max_lines) {
  size_t end = 0, lines = 0;
  while (end < text.size() && lines < max_lines) {
    size_t nl = text.find('\n', end);
    end = nl == std::string::npos ? text.size() : nl + 1;
    ++lines;
  }
  size_t rest = static_cast<size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(end), text.end(), '\n'));
  return {text.substr(0, end), rest};
}

// A kernel's listing, folded: its summary says what and how long.
void write_listing(std::ostream& os, const char* cls, const char* what, const std::string& text) {
  if (text.empty()) return;
  auto [shown, left_out] = first_lines(text, kMaxListingLines);
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  os << "<details class=\"" << cls << "\"><summary>" << what << " (" << lines
     << " lines)</summary><pre class=\"listing\">" << html_escape(shown) << "</pre>";
  if (left_out) os << "<p class=\"note\">" << left_out << " more lines left out</p>";
  os << "</details>";
}

void write_kernel_code(std::ostream& os, const KernelRow& k) {
  if (k.assembly.empty() && k.llvm_ir.empty()) return;
  os << "<tr class=\"code\"><td colspan=\"7\">";
  write_listing(os, "asm", "assembly", k.assembly);
  write_listing(os, "llvm-ir", "LLVM IR", k.llvm_ir);
  os << "</td></tr>\n";
}

void write_kernels(std::ostream& os, const CompileReport& r) {
  os << "<section id=\"kernels\">\n<h2>Kernels</h2>\n<table class=\"kernels\">\n<tr><th>kernel</th><th>op</th>"
     << "<th>first op</th><th>ops</th><th>shape</th><th>block types</th><th>instructions</th></tr>\n";
  for (const auto& k : r.kernels) {
    os << "<tr class=\"kernel\" id=\"kernel-" << html_escape(k.symbol) << "\"><td><code>" << html_escape(k.symbol)
       << "</code></td><td>" << html_escape(k.op) << "</td><td><code>" << html_escape(k.first_value)
       << "</code></td><td class=\"num\">" << k.ops << "</td><td><code>" << html_escape(k.shape) << "</code></td><td>"
       << html_escape(k.block_types) << "</td><td class=\"num\">"
       << (k.instructions < 0 ? std::string("—") : std::to_string(k.instructions)) << "</td></tr>\n";
    write_kernel_code(os, k);
  }
  os << "</table>\n</section>\n";
}

void write_profile(std::ostream& os, const CompileReport& r) {
  os << "<section id=\"profile\">\n<h2>Profile</h2>\n<p class=\"meta\">" << html_escape(r.profile_note) << "</p>\n"
     << "<table class=\"profile\">\n<tr><th>kernel</th><th>op</th><th>calls</th><th>ms</th>"
     << "<th>share of the step</th></tr>\n";
  for (const auto& p : r.profile)
    os << "<tr><td><code>" << html_escape(p.symbol) << "</code></td><td>" << html_escape(p.op)
       << "</td><td class=\"num\">" << p.calls << "</td><td class=\"num\">" << fixed(p.milliseconds, 3)
       << "</td><td><span class=\"bar\" style=\"width:" << fixed(p.share * 200, 1) << "px\"></span>"
       << fixed(p.share * 100, 1) << " %</td></tr>\n";
  os << "</table>\n</section>\n";
}

// A radio button a layer and the style sheet that shows the checked one's picture: the
// page runs no script.
void write_layers(std::ostream& os, const CompileReport& r) {
  os << "<section id=\"layers\">\n<h2>Layers of the compiled graph</h2>\n<style>";
  for (size_t i = 0; i < r.layers.size(); ++i)
    os << "#layer-" << i << ":checked ~ .layer-pictures .layer-" << i << (i + 1 < r.layers.size() ? ", " : "");
  os << " { display: block; }</style>\n<div class=\"layer-select\">";
  for (size_t i = 0; i < r.layers.size(); ++i)
    os << "<input type=\"radio\" name=\"layer\" id=\"layer-" << i << "\"" << (i == 0 ? " checked" : "")
       << "><label for=\"layer-" << i << "\">" << i << "</label>";
  os << "\n<div class=\"layer-pictures\">\n";
  for (size_t i = 0; i < r.layers.size(); ++i)
    os << "<figure class=\"layer-" << i << "\"><img class=\"graph\" alt=\"" << html_escape(r.layers[i].caption)
       << "\" src=\"" << svg_data_uri(r.layers[i].svg) << "\"><figcaption>" << html_escape(r.layers[i].caption)
       << "</figcaption></figure>\n";
  os << "</div>\n</div>\n</section>\n";
}

// The filter is radio buttons and the style sheet: the page runs no script.
void write_ranked_remarks(std::ostream& os, const CompileReport& r) {
  os << "<section id=\"remarks\">\n<h2>Remarks by the time of their kernels</h2>\n<div class=\"remark-filter\">"
     << "<input type=\"radio\" name=\"remark-kind\" id=\"show-all\" checked><label for=\"show-all\">all</label>"
     << "<input type=\"radio\" name=\"remark-kind\" id=\"show-missed\"><label for=\"show-missed\">missed</label>"
     << "<input type=\"radio\" name=\"remark-kind\" id=\"show-passed\"><label for=\"show-passed\">passed</label>"
     << "<input type=\"radio\" name=\"remark-kind\" id=\"show-analysis\"><label "
        "for=\"show-analysis\">analysis</label>\n"
     << "<table class=\"ranked-remarks\">\n<tr><th>share of the step</th><th>kernel</th><th>pass</th><th>value</th>"
     << "<th>remark</th></tr>\n";
  for (const auto& m : r.ranked_remarks) {
    os << "<tr class=\"" << passes::remark_kind_name(m.kind) << "\"><td class=\"num\">"
       << (m.share < 0 ? std::string("—") : fixed(m.share * 100, 1) + " %") << "</td><td>";
    if (!m.kernel.empty())
      os << "<a href=\"#kernel-" << html_escape(m.kernel) << "\"><code>" << html_escape(m.kernel) << "</code></a>";
    os << "</td><td>" << html_escape(m.pass) << "</td><td><code>" << html_escape(m.value) << "</code></td><td>"
       << html_escape(m.message) << "</td></tr>\n";
  }
  os << "</table>\n</div>\n</section>\n";
}

}  // namespace

std::string html_report(const CompileReport& r) {
  std::ostringstream os;
  write_head(os, r);
  os << "<body>\n";
  write_header(os, r);
  write_pass_table(os, r);
  for (const auto& p : r.passes) write_pass(os, p);
  os << "</section>\n";
  write_kernels(os, r);
  if (!r.layers.empty()) write_layers(os, r);
  if (!r.profile.empty()) write_profile(os, r);
  if (!r.ranked_remarks.empty()) write_ranked_remarks(os, r);
  if (r.comparison) write_comparison(os, *r.comparison);
  os << "</body>\n</html>\n";
  return os.str();
}

}  // namespace lmc::report
