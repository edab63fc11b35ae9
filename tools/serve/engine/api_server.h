// The HTTP side of `lmc serve`: OpenAI's /v1/completions and /v1/chat/completions (whole
// or streamed as server-sent events), /v1/models, /health and /metrics (Prometheus text),
// and llama-server's /completion, /props, /slots, /tokenize, /detokenize and /apply-template; with
// --embeddings instead of the generations, OpenAI's /v1/embeddings and llama-server's
// /embeddings (and, with --reranking, its /rerank); with AIP_MODE=PREDICTION, Vertex AI's predict route.
// Every error is a JSON body {"error": {...}} with a 4xx/5xx status; with an API key,
// every endpoint but /health needs "Authorization: Bearer KEY".
//
// It is a shared module, liblmc-serve.so (tools/serve/server/serve_http.cpp on the Boost.Beast transport
// of tools/serve/http/http_server.h, and tools/serve/request/serve_request.cpp), opened only by lmc serve, so that a
// run, a chat or a compile maps none of it. The transport's bounds (ServeOptions) keep slow
// and hostile clients from holding the server. The module's calls into lmc (the engine,
// the tokenizer, the chat formats) resolve against the lmc executable that loads it.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "driver/open_model.h"
#include "models/chat/chat_template.h"
#include "runtime/sampler.h"
#include "structured/gbnf_grammar.h"
#include "tools/lmc/llama/llama_model_type.h"
#include "tools/serve/engine/embedding_engine.h"
#include "tools/serve/engine/mcp_servers_config.h"
#include "tools/serve/engine/reasoning_format.h"
#include "tools/serve/engine/router_options.h"
#include "tools/serve/engine/serve_engine.h"

namespace lmc::tools {

class ImageInput;  // tools/serve/engine/image_input.h

struct ServeOptions {
  // The addresses listened at (--host, comma-separated), all on one port.
  std::vector<std::string> hosts = {"127.0.0.1"};
  int port = 8080;
  std::vector<std::string> api_keys;  // none: no authentication
  size_t max_body_bytes = 1 << 20;
  // A request's line and headers arrive whole within this of the connection becoming ready
  // for it (so an idle keep-alive connection closes after it); its body within the other.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  int max_connections = 512;             // open at once, in all
  int max_connections_per_client = 128;  // open at once from one address
  // The tokens a request that asks for no number generates at most (--n-predict); 0: OpenAI's
  // and llama-server's defaults.
  int64_t n_predict = 0;
  // The sampling of a request that leaves a field out (--temp, --top-k, ...: llama-server's
  // defaults unless set), and the seed of one without a seed (--seed; none: a random one each).
  runtime::SamplerOptions sampling;
  std::optional<uint64_t> seed;
  // The model's names in /v1/models (--alias, sorted), the first its id in every answer;
  // none: the model's own. A request may name any model: one is served (as llama-server).
  std::vector<std::string> aliases;
  std::vector<std::string> tags;  // /v1/models' tags for it (--tags)
  // GET / answers the chat page (tools/serve/server/webui/chat.html); --no-webui leaves it out.
  bool webui = true;
  // What a chat answer's reasoning becomes (--reasoning-format; a request's
  // `reasoning_format` overrides it).
  ReasoningFormat reasoning_format = ReasoningFormat::Auto;
  // A request field lmc does not know is a 400 (--strict-fields), not a line in the log.
  bool strict_fields = false;
  // Every whole answer carries llama-server's __verbose (--verbose), as a request's "verbose" asks.
  bool verbose_answers = false;
  // What llama.cpp's tools say of the model's GGUF file (/props model_ftype, /v1/models
  // meta); nullopt when the weights are not one.
  std::optional<LlamaFileFacts> file;
  // Variables every chat's template gets (--chat-template-kwargs, a JSON object); a request's
  // chat_template_kwargs adds to them and wins where both set one.
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
  // The GBNF grammar of a request that asks for no answer format (--grammar, --grammar-file;
  // no grammar, response_format, json_schema or tools); null: free text.
  std::shared_ptr<const structured::GbnfGrammar> grammar;
  // The folder POST /slots/ID?action=save|restore write and read slots' KV caches in
  // (--slot-save-path); "": those actions are a 501.
  std::string slot_save_path;
  // GET /slots answers them; --no-slots makes it a 501, as llama-server's.
  bool slots_endpoint = true;
  // GET /metrics answers (--metrics); without it a 501, as llama-server's.
  bool metrics_endpoint = false;
  // llama-server's --sleep-idle-seconds: after this long with nothing to do, /props says
  // is_sleeping (lmc keeps the model loaded); 0: never.
  std::chrono::seconds sleep_idle{0};
  // POST /rerank and its aliases rank documents by embedding similarity (--reranking, which
  // embeds); without it they are a 501, as llama-server's.
  bool reranking = false;
  // Vertex AI's predict route ("": none) and a health route of its own ("": /health only),
  // as llama-server's AIP_MODE=PREDICTION (tools/lmc/serve/vertex_environment.h).
  struct VertexRoutes {
    std::string predict_route;
    std::string health_route;
  } vertex;
  // The origins a browser's cross-origin requests are let in from (--cors-origins; none: any).
  std::vector<std::string> cors_origins;
  // llama-server's built-in tools GET and POST /tools offer (--tools: "all" or their names;
  // none: the route answers 403), and where a call that names no runtime runs
  // (--tools-runtime; "": this machine).
  std::vector<std::string> tools;
  std::string tools_runtime;
  // The MCP servers whose tools /tools serves (--mcp-servers-json, --mcp-servers-config).
  std::vector<McpServerConfig> mcp_servers;
  // The model reads images (--mmproj): /props' modalities say vision.
  bool vision = false;
  // /cors-proxy makes a browser page's requests to other servers for it (--ui-mcp-proxy);
  // without it, a 403.
  bool cors_proxy = false;
};

class ApiServer {
 public:
  virtual ~ApiServer() = default;
  // Binds (throws lmc::Error naming the address when it cannot) and returns the port.
  virtual int bind() = 0;
  virtual void listen() = 0;  // until shutdown()
  // Refuses new generations (503), lets the running and queued ones finish their
  // responses, then stops listening.
  virtual void shutdown() = 0;
};

// What the server answers with: one of the two. A server that generates answers the
// embeddings endpoints 501, one that embeds (lmc serve --embeddings, llama-server's mode of
// the same name) the generating ones.
struct ServeBackends {
  ServeEngine* generate = nullptr;
  EmbeddingEngine* embed = nullptr;
  // What renders a chat's messages (null: the model does not chat, its chat endpoints 400).
  const models::ChatTemplate* chat = nullptr;
  // What reads a chat's images (--mmproj; null: a chat with images is refused).
  ImageInput* images = nullptr;
};

struct ServeModule {
  std::unique_ptr<ApiServer> (*make_server)(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts);
  // Started without a model: llama-server's router, serving `router`'s models
  // (tools/serve/router/router_server.h).
  std::unique_ptr<ApiServer> (*make_router_server)(ServeOptions opts, RouterOptions router);
};

// The server of model `m` answering from `backends`, from the module (loaded on first use;
// throws lmc::Error naming the places it looked when it cannot be).
std::unique_ptr<ApiServer> make_api_server(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts);
std::unique_ptr<ApiServer> make_router_api_server(ServeOptions opts, RouterOptions router);

}  // namespace lmc::tools

// The module's one exported symbol.
extern "C" const lmc::tools::ServeModule* lmc_serve_module_v7();
