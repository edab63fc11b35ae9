#include "driver/report/graphviz_svg.h"

#include <graphviz/gvc.h>

#include <memory>
#include <mutex>

#include "support/error.h"
#include "support/sanitizers.h"

namespace lmc::report {

namespace {

// Graphviz reports errors through a callback rather than return values alone; the
// latest message is kept for the exception.
std::string& last_message() {
  static std::string message;
  return message;
}

int keep_message(char* text) {
  last_message() += text;
  return 0;
}

// One context for the process: creating it reads Graphviz's plugin configuration.
GVC_t* context() {
  static GVC_t* gvc = [] {
    agseterrf(keep_message);
    return gvContext();
  }();
  return gvc;
}

[[noreturn]] void fail(const std::string& what) {
  std::string detail = last_message();
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  throw Error("graphviz: error: " + what + (detail.empty() ? "" : ": " + detail));
}

struct GraphCloser {
  void operator()(Agraph_t* g) const { agclose(g); }
};

}  // namespace

std::string render_svg(const std::string& dot) {
  // Graphviz keeps global state; reports are drawn one picture at a time.
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  last_message().clear();
  GVC_t* gvc = context();
  if (!gvc) fail("cannot create a Graphviz context");
  std::unique_ptr<Agraph_t, GraphCloser> g(agmemread(dot.c_str()));
  if (!g) fail("cannot read the picture's dot text");
  if (gvLayout(gvc, g.get(), "dot") != 0)
    fail("the dot layout failed (are Graphviz's plugins installed and configured, `dot -c`?)");
  char* data = nullptr;
  unsigned int length = 0;
  const int rendered = gvRenderData(gvc, g.get(), "svg", &data, &length);
  std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, g.get());
  if (rendered != 0 || svg.empty()) fail("rendering SVG failed");
  return svg;
}

}  // namespace lmc::report

#if LMC_ADDRESS_SANITIZER
// Graphviz and the Pango and fontconfig it lays text out with (in a thread of glib's) keep
// caches they never free: font lists, plugin tables, layout scratch, about 35 kB a process.
// They are not ours to fix, so the sanitizer build's leak checker leaves them out.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libgvc.so\nleak:libcgraph.so\nleak:libgvplugin_\nleak:libpango\nleak:libfontconfig.so\n"
         "leak:libglib-2.0.so\nleak:libcairo.so\n";
}
#endif
