// lmc serve: an OpenAI-compatible HTTP server for a model (artifact, model YAML, GGUF or HF
// folder). Up to --parallel requests run at once, batched into the same steps, and
// start in arrival order; --queue more may wait (each up to --queue-timeout), past that the server answers 503 with
// Retry-After; a client that leaves frees its place or slot at once. SIGTERM or Ctrl-C lets the running
// and queued requests finish, then exits. With --embeddings it computes embeddings instead (the model compiled with the
// embedding-output pass), one request at a time; --reranking does too and ranks documents by them.
// Without a model it is llama-server's router: --models-dir's models, each loaded when a request names it.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "support/cancellation.h"
#include "support/error.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/artifact_flags.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/chat_template_flag.h"
#include "tools/lmc/flags/constraint_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/llama_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/flags/sampling_flags.h"
#include "tools/lmc/process/shutdown_signals.h"
#include "tools/lmc/reports/load_summary.h"
#include "tools/lmc/serve/api_keys.h"
#include "tools/lmc/serve/router_flags.h"
#include "tools/lmc/serve/serve_images.h"
#include "tools/lmc/serve/vertex_environment.h"
#include "tools/serve/engine/api_server.h"
#include "tools/serve/engine/embedding_engine.h"
#include "tools/serve/engine/mcp_servers_config.h"
#include "tools/serve/engine/serve_engine.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  std::vector<FlagSpec> s = {
      {"host", true,
       "IP addresses to listen on, comma-separated, all on one port (default 127.0.0.1: this machine only; with "
       "several, :: is IPv6 only)",
       "ADDRS"},
      {"port", true, "port to listen on (default 8080; 0 picks a free one, printed at start)", "N"},
      {"parallel",
       true,
       "requests generated at once, each with its own KV cache, batched into the same "
       "steps (default 4, each slot holding the whole --ctx-size; given, --ctx-size is divided over "
       "the slots, as llama-server's)",
       "N",
       false,
       "",
       {},
       {"np"}},
      {"kv-unified",
       false,
       "every slot may hold the whole --ctx-size, as llama-server's unified cache (lmc gives each "
       "slot a cache of its own, --parallel times the memory)",
       "",
       false,
       "",
       {},
       {"kvu"}},
      {"no-kv-unified",
       false,
       "--ctx-size divided over --parallel's slots (the default when --parallel is given)",
       "",
       false,
       "",
       {},
       {"no-kvu"}},
      {"slot-save-path", true,
       "folder POST /slots/ID?action=save|restore write slots' KV caches to and read them from "
       "(the body's \"filename\" names the file in it)",
       "DIR"},
      {"queue", true,
       "requests that may wait for a free slot, in arrival order (default 16); one past it is "
       "answered 503 with Retry-After",
       "N"},
      {"queue-timeout", true,
       "seconds a request may wait for a free slot (default 600); past it, 503 with Retry-After "
       "(a stream: an error event)",
       "S"},
      {"header-timeout", true,
       "seconds a request's line and headers have to arrive, and an idle connection "
       "stays open (default 10)",
       "S"},
      {"body-timeout",
       true,
       "seconds a request's body has to arrive after its headers, and an answer's "
       "each write to be taken (default 30)",
       "S",
       false,
       "",
       {"timeout"},
       {"to"}},
      {"max-connections", true, "connections open at once; one past it is answered 503 (default 512)", "N"},
      {"max-connections-per-client", true,
       "connections open at once from one address; one past it is "
       "answered 503 (default 128)",
       "N"},
      {"n-predict", true,
       "the tokens a request without max_tokens or n_predict generates at most, as llama-server "
       "(default, or -1: 16 for a completion, a chat answer to its end)",
       "N", false, "n"},
      {"model", true, "the model (instead of the positional MODEL)", "MODEL", false, "m"},
      {"alias", true,
       "the model's name in /v1/models and in answers (default: the model's own); a request may "
       "name any model. A comma-separated list gives several names, the first in sorted order the id (as "
       "llama-server's)",
       "NAME", false, "a"},
      {"embeddings",
       false,
       "serve /v1/embeddings and /embeddings instead of generating: the model's final hidden "
       "state, pooled and scaled to unit length",
       "",
       false,
       "",
       {},
       {"embedding"}},
      {"reranking",
       false,
       "an embeddings server that also answers llama-server's /rerank: documents ranked by the cosine of "
       "their pooled embedding and the query's (embedding similarity, not a reranker's classification head)",
       "",
       false,
       "",
       {},
       {"rerank"}},
      {"chat-template-kwargs", true,
       "variables every chat's template gets, a JSON object (e.g. '{\"enable_thinking\": false}'); a request's "
       "chat_template_kwargs add to them",
       "JSON"},
      {"strict-fields", false,
       "answer a request field lmc does not know with a 400 (as OpenAI does), not ignore it with a line in the log "
       "(as llama-server does)"},
      {"no-slots", false, "answer GET /slots with a 501 (as llama-server's --no-slots)"},
      {"mcp-servers-json", true,
       "MCP servers whose tools GET and POST /tools serve as SERVER_TOOL, as JSON: {\"mcpServers\": {NAME: "
       "{\"command\", \"args\", \"env\", \"cwd\", \"timeout_ms\"}}}; each started at once",
       "JSON"},
      {"mcp-servers-config", true, "the same, from a file (Claude Desktop's and Cursor's form)", "FILE"},
      {"ui-mcp-proxy",
       false,
       "answer /cors-proxy?url=http://...: a request a browser page cannot make across origins (an MCP server's), "
       "made for it; only the headers it names as x-llama-server-proxy-header-NAME are sent on",
       "",
       false,
       "",
       {"webui-mcp-proxy"}},
      {"no-ui-mcp-proxy", false, "/cors-proxy answers 403 (the default)", "", false, "", {"no-webui-mcp-proxy"}},
      {"metrics", false, "answer GET /metrics (Prometheus text; without it a 501, as llama-server's)"},
      {"cors-origins", true,
       "the origins browsers' cross-origin requests are let in from, comma-separated (default: any); "
       "\"localhost\" stands for this machine's loopback names on any port",
       "LIST"},
      {"no-webui",
       false,
       "leave out the chat page at / (it is served without the API key, and asks for it)",
       "VALUE",
       false,
       "",
       {"no-ui"}},
      {"reasoning-format", true,
       "what a chat answer's reasoning (<think>...</think> at its start) becomes: auto (default) and "
       "deepseek move it to reasoning_content, deepseek-legacy copies it there, none leaves it in the content",
       "none|deepseek|deepseek-legacy|auto"},
      {"tools", true,
       "llama-server's built-in tools for its clients' agents, GET and POST /tools: all, or a comma-separated list of "
       "read_file, file_glob_search, grep_search, exec_shell_command, write_file, edit_file, get_info (they read, "
       "write and run anything this user can: do not enable on an untrusted network; --cors-origins then defaults "
       "to localhost)",
       "LIST"},
      {"tools-runtime", true,
       "where --tools' calls run when they name no x-tool-runtime: docker:IMAGE or podman:IMAGE (a container "
       "started for the server, removed when it stops), docker-container:ID or podman-container:ID (a running "
       "one), ssh:TARGET (a host, key-based; remoting, not isolation); default: this machine",
       "SPEC"},
      {"pooling", true,
       "with --embeddings (or --reranking), how a text's rows make one vector: mean (default), last or cls (the "
       "first); none: /embeddings answers each token's row",
       "mean|last|cls|none"},
  };
  for (auto& f : api_key_flag_specs()) s.push_back(f);
  for (auto& f : router_flag_specs()) s.push_back(f);
  for (auto& f : chat_template_flag_specs()) s.push_back(f);
  for (auto& f : sampling_flag_specs()) s.push_back(f);
  for (auto& f : grammar_flag_specs(true)) s.push_back(f);
  for (auto& f : llama_flag_specs()) s.push_back(f);
  for (auto& f : llama_server_flag_specs()) s.push_back(f);
  for (auto& f : executor_flag_specs()) s.push_back(f);
  for (auto& f : open_flag_specs()) s.push_back(f);
  for (auto& f : serve_image_flag_specs()) s.push_back(f);
  s.push_back({"ctx-size", true, "positions the KV cache holds (default: the model's context)", "N", false, "c"});
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

// --slot-save-path: a folder, made when it is not there yet (as llama-server does), without a
// trailing '/'.
std::string slot_save_path(const Args& a) {
  std::string dir = a.get_or("slot-save-path", "");
  if (dir.empty()) return dir;
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  if (!std::filesystem::is_directory(dir))
    throw UsageError("--slot-save-path: '" + dir + "' is not a folder and cannot be made one" +
                     (made ? " (" + made.message() + ")" : ""));
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// The positions each slot holds. llama-server's -c is the KV cache of all its slots:
// -np N divides it, N slots of c/N each, a cache of their own; with --kv-unified (and at
// its default, 4 slots sharing one cache) the slots draw pages from one pool of c positions
// (runtime/kv_page_pool.h), any slot up to the whole of it.
int64_t slot_context(const Args& a, int64_t context, runtime::ExecutorOptions& exec) {
  if (a.has("kv-unified") && a.has("no-kv-unified")) throw UsageError("give --kv-unified or --no-kv-unified, not both");
  const int64_t slots = exec.sequences;
  const bool divided = a.has("no-kv-unified") || (a.has("parallel") && !a.has("kv-unified"));
  if (!divided) {
    exec.kv_unified = true;
    if (a.has("kv-unified") && slots > 1)
      std::fprintf(stderr,
                   "lmc: --kv-unified: each of the %lld slots may hold all %lld positions, as llama-server's, "
                   "drawing pages of them from one pool they share\n",
                   static_cast<long long>(slots), static_cast<long long>(context));
    return context;
  }
  if (context < slots)
    throw UsageError("--ctx-size " + std::to_string(context) + " divided over --parallel " + std::to_string(slots) +
                     " slots leaves a slot no position");
  const int64_t each = context / slots;
  if (slots > 1)
    std::fprintf(stderr,
                 "lmc: %lld slots of %lld positions each (--ctx-size %lld divided over them, as llama-server; "
                 "--kv-unified gives each the whole)\n",
                 static_cast<long long>(slots), static_cast<long long>(each), static_cast<long long>(context));
  return each;
}

// Where the server answers: http://HOST:PORT`path` at each --host address, an IPv6 one in brackets.
std::string served_at(const ServeOptions& so, int port, const std::string& path = "") {
  std::string out;
  for (const std::string& host : so.hosts) {
    const bool v6 = host.find(':') != std::string::npos;
    out += (out.empty() ? "" : " and ") + std::string("http://") + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port) + path;
  }
  return out;
}

// A comma-separated flag ("a, b": --cors-origins, --alias, --tags): its entries, spaces
// around them dropped.
std::vector<std::string> comma_list(const Args& a, const std::string& name) {
  std::vector<std::string> out;
  std::string list = a.get_or(name, "");
  for (size_t start = 0; start < list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    const size_t first = list.find_first_not_of(' ', start), last = list.find_last_not_of(' ', comma - 1);
    if (first < comma && last != std::string::npos && last >= first)
      out.push_back(list.substr(first, last - first + 1));
    start = comma + 1;
  }
  return out;
}

// llama-server's --reasoning: templates read enable_thinking, which llama-server always sets
// (false with off; on, auto or unset: true) unless --chat-template-kwargs does.
void reasoning_switch(const Args& a, nlohmann::ordered_json& kwargs) {
  const std::string r = a.get_or("reasoning", "auto");
  if (r != "on" && r != "off" && r != "auto" && !r.empty())
    throw UsageError("--reasoning expects on, off or auto, got '" + r + "'");
  if (!kwargs.contains("enable_thinking")) kwargs["enable_thinking"] = r != "off";
}

// --tools is llama-server's experimental feature, and as it says: anything its tools can do,
// a client can.
void note_tools(const ServeOptions& so) {
  if (so.tools.empty()) return;
  std::string names;
  for (const std::string& t : so.tools) names += (names.empty() ? "" : ",") + t;
  std::fprintf(stderr,
               "lmc: --tools %s: POST /tools reads, writes and runs what this user can%s; do not enable it on an "
               "untrusted network\n",
               names.c_str(), so.tools_runtime.empty() ? "" : (" (in " + so.tools_runtime + ")").c_str());
}

// llama-server's command line without a model starts its router: the models of --models-dir,
// each loaded when a request names it (tools/serve/router/router_server.h).
int serve_router(const Args& a, int argc, char** argv, const ServeOptions& so) {
  refuse_llama_flags(a);
  // A preset's flags read as a model's lmc serve will read them.
  const FlagCheck check = [](const std::vector<std::string>& flags) {
    std::vector<std::string> words = {"lmc", "serve"};
    words.insert(words.end(), flags.begin(), flags.end());
    std::vector<char*> argv_of;
    for (std::string& w : words) argv_of.push_back(w.data());
    Args(specs(), static_cast<int>(argv_of.size()), argv_of.data(), 2, kServer);
  };
  RouterOptions router = router_options(a, argc, argv, check);
  ShutdownSignals signals;
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<ApiServer> server = make_router_api_server(so, router);
  const int port = server->bind();
  signals.serving([&server] { server->shutdown(); });
  check_cancelled();
  note_tools(so);
  std::fprintf(stderr, "lmc: serving %zu model%s on %s (/models lists them; a request's \"model\" loads one)\n",
               router.models.size(), router.models.size() == 1 ? "" : "s", served_at(so, port).c_str());
  server->listen();
  signals.finish();
  std::fprintf(stderr, "lmc: stopped\n");
  return 0;
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc serve MODEL.lmc|MODEL.yaml|MODEL.gguf|HF_FOLDER [options]\n"
                   "       lmc serve --models-dir DIR [options]   (several models, each loaded on request)\n\n"
                   "Serves the model over HTTP with OpenAI's API: POST /v1/completions and\n"
                   "/v1/chat/completions (\"stream\": true for server-sent events), GET /v1/models,\n"
                   "/health, /metrics (--metrics) and a chat page at / to open in a browser. Chats are\n"
                   "rendered with the model's own Jinja chat template (--chat-template-file F overrides it).\n"
                   "Up to --parallel requests run at once (continuous batching), the others wait in\n"
                   "arrival order.\n\n"
                   "options:\n",
                   kServer);
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  ServeOptions so;
  so.hosts = a.has("host") ? comma_list(a, "host") : std::vector<std::string>{"127.0.0.1"};
  if (so.hosts.empty()) throw UsageError("--host expects an address, or several separated by commas");
  so.port = static_cast<int>(a.get_int("port", 8080, 0, 65535));
  so.api_keys = api_keys(a);
  so.webui = !a.has("no-webui");
  so.strict_fields = a.has("strict-fields");
  so.verbose_answers = a.has("verbose");
  if (auto kwargs = a.get("chat-template-kwargs")) {
    so.template_kwargs = nlohmann::ordered_json::parse(*kwargs, nullptr, false);
    if (!so.template_kwargs.is_object())
      throw UsageError("--chat-template-kwargs expects a JSON object, got '" + *kwargs + "'");
  }
  reasoning_switch(a, so.template_kwargs);
  so.header_timeout = std::chrono::seconds(a.get_int("header-timeout", 10, 1, 3600));
  so.body_timeout = std::chrono::seconds(a.get_int("body-timeout", 30, 1, 3600));
  so.max_connections = static_cast<int>(a.get_int("max-connections", 512, 1, 1 << 20));
  so.max_connections_per_client = static_cast<int>(a.get_int("max-connections-per-client", 128, 1, 1 << 20));
  so.n_predict = std::max<int64_t>(0, a.get_int("n-predict", 0, -1, int64_t{1} << 30));  // -1: no limit
  so.sampling = sampling_options(a, server_sampling_defaults());
  so.seed = seed_flag(a);
  so.grammar = grammar_flag(a);
  // llama-server's names: the model's id is the first alias in sorted order.
  so.aliases = comma_list(a, "alias");
  std::sort(so.aliases.begin(), so.aliases.end());
  so.aliases.erase(std::unique(so.aliases.begin(), so.aliases.end()), so.aliases.end());
  so.tags = comma_list(a, "tags");
  so.sleep_idle = std::chrono::seconds(a.get_int("sleep-idle-seconds", 0, -1, 86400 * 365));
  so.slot_save_path = slot_save_path(a);
  so.slots_endpoint = !a.has("no-slots");
  so.metrics_endpoint = a.has("metrics");
  so.cors_origins = comma_list(a, "cors-origins");
  so.tools = comma_list(a, "tools");
  so.tools_runtime = a.get_or("tools-runtime", "");
  if (!so.tools_runtime.empty() && so.tools.empty()) throw UsageError("--tools-runtime applies with --tools");
  if (a.has("ui-mcp-proxy") && a.has("no-ui-mcp-proxy"))
    throw UsageError("give --ui-mcp-proxy or --no-ui-mcp-proxy, not both");
  so.cors_proxy = a.has("ui-mcp-proxy");
  const std::optional<std::string> mcp_json = a.get("mcp-servers-json"), mcp_file = a.get("mcp-servers-config");
  so.mcp_servers = mcp_servers_of_flags(mcp_json ? &*mcp_json : nullptr, mcp_file ? &*mcp_file : nullptr);
  // Tools read and run anything: a web page elsewhere may not call them (llama-server's default too).
  if ((!so.tools.empty() || !so.mcp_servers.empty()) && so.cors_origins.empty()) so.cors_origins = {"localhost"};
  read_vertex_environment(so);
  const std::optional<ReasoningFormat> reasoning = reasoning_format_named(a.get_or("reasoning-format", "auto"));
  if (!reasoning)
    throw UsageError("--reasoning-format expects " + reasoning_format_names() + ", got '" +
                     a.get_or("reasoning-format", "") + "'");
  so.reasoning_format = *reasoning;
  QueueBounds queue;
  queue.limit = static_cast<size_t>(a.get_int("queue", 16, 1, 1024));
  queue.timeout = std::chrono::seconds(a.get_int("queue-timeout", 600, 1, 86400));
  auto exec_opts = executor_options(a);
  exec_opts.sequences = a.get_int("parallel", 4, 1, 256);
  if (a.positional().empty() && !a.has("model")) return serve_router(a, argc, argv, so);
  refuse_router_flags(a);
  const std::string model = model_argument(a, "lmc serve");

  ShutdownSignals signals;  // before any other thread exists
  signal(SIGPIPE, SIG_IGN);  // a client that left is a failed write, not a signal

  // llama-server's --reranking embeds too: its ranks are the embeddings' similarities.
  so.reranking = a.has("reranking");
  const bool embeds = a.has("embeddings") || so.reranking;
  if (a.has("pooling") && !embeds) throw UsageError("--pooling applies with --embeddings or --reranking");
  const std::optional<Pooling> pooling = parse_pooling(a.get_or("pooling", "mean"));
  if (!pooling) throw UsageError("--pooling expects mean, last, cls or none, got '" + a.get_or("pooling", "") + "'");
  if (so.reranking && *pooling == Pooling::None)
    throw UsageError("--reranking compares one vector a text, and --pooling none gives none");
  OpenOverride how;
  if (embeds) how.first_pass = "embedding-output";
  driver::LoadedModel m = open_model(model, a, how);
  check_parallel(exec_opts.sequences, m.info);
  if (!embeds) m.info.context = slot_context(a, m.info.context, exec_opts);
  so.file = llama_file_facts(m.info.weights);
  std::unique_ptr<ServeEngine> engine;
  std::unique_ptr<EmbeddingEngine> embedder;
  std::optional<models::ChatTemplate> chat;
  if (!embeds && (!m.info.chat.empty() || a.has("chat-template-file") || a.has("chat-template")))
    chat.emplace(chat_template(m, a, model));
  if (embeds)
    embedder = std::make_unique<EmbeddingEngine>(m, exec_opts, *pooling);
  else
    engine = std::make_unique<ServeEngine>(m, exec_opts, queue);
  std::unique_ptr<ImageInput> images =
      serve_images(a, m, model, exec_opts.threads > 0 ? exec_opts.threads : runtime::default_threads());
  so.vision = images != nullptr;
  // A photo as a base64 data URI: a 6 MB JPEG is 8 MB of body.
  if (so.vision) so.max_body_bytes = std::max<size_t>(so.max_body_bytes, kImageBodyBytes);
  std::unique_ptr<ApiServer> server =
      make_api_server(m, {engine.get(), embedder.get(), chat ? &*chat : nullptr, images.get()}, so);
  int port = server->bind();  // before the summary: an address it cannot take is the one line said
  signals.serving([&server] { server->shutdown(); });
  check_cancelled();  // a signal just before serving took its place
  print_load_summary(m, embeds ? embedder->executor() : engine->executor());
  note_tools(so);
  if (embeds)
    std::fprintf(stderr, "lmc: serving %s's embeddings (%lld values, %s pooling) on %s\n", m.info.name.c_str(),
                 static_cast<long long>(embedder->dimensions()), pooling_name(*pooling),
                 served_at(so, port, "/v1/embeddings").c_str());
  if (so.reranking) std::fprintf(stderr, "lmc: ranking documents at %s\n", served_at(so, port, "/rerank").c_str());
  if (!embeds)
    std::fprintf(stderr, "lmc: serving %s on %s (OpenAI API at /v1%s)\n", m.info.name.c_str(),
                 served_at(so, port).c_str(), so.webui ? ", chat page at /" : "");
  server->listen();
  signals.finish();  // while the server it may stop still is
  std::fprintf(stderr, "lmc: stopped\n");
  return 0;
}

}  // namespace lmc::tools
