// lmc cache: what the compile cache holds (lmc run|chat|serve|bench compile weights into
// it once, and an mmproj's vision tower: driver/compile_cache.h), and emptying it.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/cache_flags.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  return {{"cache-dir", true, "the cache to act on (default $XDG_CACHE_HOME/lmc, else ~/.cache/lmc)", "DIR"},
          {"help", false, "show this help", "", false, "h"}};
}

std::string date(std::time_t t) {
  char buf[32];
  std::tm tm{};
  localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

int list(driver::CompileCache& cache) {
  auto entries = cache.list();
  uint64_t total = 0;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    std::printf("%s  %9.1f MB  used %s  %s\n  %s\n", it->key.c_str(), it->bytes / 1e6, date(it->last_used).c_str(),
                it->model.c_str(), it->settings.c_str());
    total += it->bytes;
  }
  // Opening the cache removed what dead processes left: these have a writer still.
  auto writing = cache.being_written();
  for (const auto& t : writing) {
    std::printf("%s  %9.1f MB  being written by process %d\n", t.path.c_str(), t.bytes / 1e6, t.pid);
    total += t.bytes;
  }
  std::printf("%zu compiled model%s", entries.size(), entries.size() == 1 ? "" : "s");
  if (!writing.empty()) std::printf(", %zu file%s being written", writing.size(), writing.size() == 1 ? "" : "s");
  std::printf(", %.1f MB in %s\n", total / 1e6, cache.dir().c_str());
  return 0;
}

}  // namespace

int cmd_cache(int argc, char** argv) {
  Args a(specs(), argc, argv, 2);
  if (a.has("help") || a.positional().empty()) {
    (a.has("help") ? std::cout : std::cerr)
        << "usage: lmc cache list|clear [--cache-dir DIR]\n\n"
           "lmc run, chat, serve and bench compile a .gguf or Hugging Face folder once (and --mmproj's\n"
           "vision tower, lmc encode-image's too) and keep the sealed artifact in the compile cache,\n"
           "keyed by the weights' content, the definition, the passes and their options, the target\n"
           "and this lmc build; later runs open it.\n"
           "  list   the compiled models, most recently used first, and the files other lmc processes\n"
           "         are writing into it (what a killed lmc left is removed first)\n"
           "  clear  remove them all, and the kernel object cache in its kernels/ (entries another lmc\n"
           "         is writing stay)\n\noptions:\n"
        << Args::help_text(specs());
    return a.has("help") ? 0 : 2;
  }
  if (a.positional().size() != 1) throw UsageError("lmc cache expects one action: list or clear");
  const std::string& action = a.positional()[0];
  if (action != "list" && action != "clear")
    throw UsageError("unknown lmc cache action '" + action + "': expected list or clear");
  driver::CompileCache cache(a.has("cache-dir") ? *a.get("cache-dir") : driver::default_cache_dir(), UINT64_MAX, 0);
  if (action == "list") return list(cache);
  std::printf("removed %.1f MB from %s\n", cache.clear() / 1e6, cache.dir().c_str());
  return 0;
}

}  // namespace lmc::tools
