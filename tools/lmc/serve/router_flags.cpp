#include "tools/lmc/serve/router_flags.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "support/error.h"
#include "tools/lmc/serve/model_catalog.h"

namespace lmc::tools {

namespace {

// The router's own flags by every spelling, with whether a value follows.
const std::map<std::string, bool>& router_owned() {
  static const std::map<std::string, bool> owned = {
      {"--host", true},
      {"--port", true},
      {"--api-key", true},
      {"--api-key-file", true},
      {"--alias", true},
      {"-a", true},
      {"--tags", true},
      {"--models-dir", true},
      {"--models-preset", true},
      {"--models-max", true},
      {"--models-autoload", false},
      {"--no-models-autoload", false},
      {"--sleep-idle-seconds", true},
      {"--cors-origins", true},
      {"--tools", true},
      {"--tools-runtime", true},
      {"--mcp-servers-json", true},
      {"--mcp-servers-config", true},
      {"--ui-mcp-proxy", false},
      {"--no-ui-mcp-proxy", false},
      {"--webui-mcp-proxy", false},
      {"--no-webui-mcp-proxy", false},
  };
  return owned;
}

// lmc serve's flags of `argv` (from [2]) but the router's own: what a model's server inherits.
std::vector<std::string> inherited_flags(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto owned = router_owned().find(arg.substr(0, arg.find('=')));
    if (owned == router_owned().end()) {
      out.push_back(arg);
      continue;
    }
    if (owned->second && arg.find('=') == std::string::npos) ++i;  // its value, the next argument
  }
  return out;
}

// This lmc, which the models' servers run.
std::string this_executable() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("lmc serve's router cannot find its own executable (/proc/self/exe): " + ec.message());
  return self.string();
}

}  // namespace

std::vector<FlagSpec> router_flag_specs() {
  return {
      {"models-dir", true,
       "without a model: serve every GGUF of this folder (a file under its name without .gguf, a subfolder under "
       "its name), each loaded when a request's \"model\" names it (llama-server's router)",
       "DIR"},
      {"models-preset", true,
       "without a model: llama-server's presets, an INI file: [NAME] sections of flags without dashes for a model of "
       "--models-dir, or a model of its own (model = PATH); [*] for every model; load-on-startup, stop-timeout",
       "FILE"},
      {"models-max", true,
       "without a model: the most models running at once (default 4; 0: no bound); one more unloads the least "
       "recently used one that is not answering a request",
       "N"},
      {"models-autoload", false, "without a model: a request loads the model it names (the default)"},
      {"no-models-autoload", false,
       "without a model: a request for a model not loaded is a 400; POST /models/load loads it"},
  };
}

void refuse_router_flags(const Args& a) {
  for (const char* name : {"models-dir", "models-preset", "models-max", "models-autoload", "no-models-autoload"})
    if (a.has(name))
      throw UsageError(std::string("--") + name +
                       " is for lmc serve without a model (its router): give a model or the router's flags, not both");
}

bool owned_by_router(const std::string& spelling) { return router_owned().count(spelling) != 0; }

RouterOptions router_options(const Args& a, int argc, char** argv, const FlagCheck& check) {
  if (a.has("models-autoload") && a.has("no-models-autoload"))
    throw UsageError("give --models-autoload or --no-models-autoload, not both");
  RouterOptions r;
  if (auto dir = a.get("models-dir")) r.models = models_in_folder(*dir);
  if (auto preset = a.get("models-preset")) apply_presets(*preset, check, r.models);
  r.models_max = static_cast<size_t>(a.get_int("models-max", 4, 0, 1 << 16));
  r.autoload = !a.has("no-models-autoload");
  r.idle_unload = std::chrono::seconds(std::max<int64_t>(0, a.get_int("sleep-idle-seconds", 0, -1, 86400 * 365)));
  r.child_command = {this_executable(), "serve"};
  for (std::string& flag : inherited_flags(argc, argv)) r.child_command.push_back(std::move(flag));
  return r;
}

}  // namespace lmc::tools
