// What lmc serve's router serves (llama-server's router mode: lmc serve started without a
// model): the models it may load, each under its name, and the bounds on how many run and
// how long one stays idle. Each model runs as an `lmc serve` of its own on this machine's
// loopback (tools/serve/router/), started on first use from `child_command` and stopped when
// the router needs its room, when it is idle too long or when asked.
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace lmc::tools {

struct RouterModel {
  std::string name;  // the id /models lists and a request's "model" names
  std::string path;  // its GGUF (or whatever lmc serve takes)
  // The vision projector beside it in its subfolder, its server's --mmproj unless its own
  // flags name one (or none: --no-mmproj); "" without.
  std::string projector;
  std::string source = "models_dir";  // where it was found, as /models says: models_dir or preset
  // Flags of its own (a preset's), before the router's command line, which wins over them.
  std::vector<std::string> args;
  bool load_on_startup = false;            // a preset's load-on-startup
  std::chrono::seconds stop_timeout{10};  // a preset's stop-timeout: from SIGTERM to SIGKILL
};

struct RouterOptions {
  std::vector<RouterModel> models;  // sorted by name, each name once
  size_t models_max = 4;            // running at once (--models-max); 0: no bound
  bool autoload = true;             // a request loads the model it names (--no-models-autoload: not)
  // A model with nothing to do this long is stopped (--sleep-idle-seconds); 0: never.
  std::chrono::seconds idle_unload{0};
  // `lmc serve` and the router's own flags a model's server inherits; the router adds the
  // model's flags before them and the model, its address and its key after.
  std::vector<std::string> child_command;
};

}  // namespace lmc::tools
