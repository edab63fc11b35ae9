#include "tools/lmc/llama_flags.h"

namespace lmc::tools {

std::vector<FlagSpec> llama_flag_specs() {
  const char* no_gpu = "lmc runs on this machine's CPU; there is no GPU to offload to";
  return {
      {"n-gpu-layers",
       true,
       "llama.cpp's GPU offload (accepted, does nothing)",
       "N",
       false,
       "",
       {"gpu-layers"},
       {"ngl"},
       no_gpu},
      {"flash-attn",
       true,
       "llama.cpp's flash-attention switch (accepted, does nothing)",
       "on|off|auto",
       false,
       "",
       {},
       {"fa"},
       "lmc's attention is one fused kernel over the KV cache, always"},
      {"ubatch-size",
       true,
       "llama.cpp's physical batch (accepted, does nothing)",
       "N",
       false,
       "",
       {},
       {"ub"},
       "a prompt is split into the steps the model was compiled for"},
      {"batch-size",
       true,
       "llama.cpp's logical batch (accepted, does nothing)",
       "N",
       false,
       "b",
       {},
       {},
       "a prompt is split into the steps the model was compiled for"},
      {"no-mmap",
       false,
       "llama.cpp's (accepted, does nothing)",
       "",
       false,
       "",
       {},
       {},
       "weights are read from a mapped file; --mlock keeps them in RAM"},
      {"color", true, "llama.cpp's (accepted, does nothing)", "on|off|auto", true, "", {}, {}, "lmc prints plain text"},
      {"threads-batch",
       true,
       "llama.cpp's threads for the prompt (accepted, does nothing)",
       "N",
       false,
       "",
       {},
       {},
       "lmc runs the prompt on the --threads that decode"},
      {"log-disable",
       false,
       "llama.cpp's (accepted, does nothing)",
       "",
       false,
       "",
       {},
       {},
       "lmc logs only its load summary and speed, on stderr"},
      {"jinja",
       false,
       "llama.cpp's (accepted, does nothing)",
       "",
       false,
       "",
       {},
       {},
       "lmc renders a chat with the model's own Jinja template already"},
      {"hf-repo", true, "llama.cpp's download from Hugging Face: refused (no network)", "REPO", false, "", {}, {"hf"}},
  };
}

std::vector<FlagSpec> llama_server_flag_specs() {
  // value: "" for a switch, else what it takes ("N", or choices "on|off|auto").
  auto inert = [](const char* name, const char* value, const char* why, std::vector<std::string> aliases = {}) {
    const bool choices = std::string(value).find('|') != std::string::npos;
    return FlagSpec{name, *value != 0, "llama-server's (accepted, does nothing)", value, choices, "", aliases, {}, why};
  };
  return {
      inert("cont-batching", "", "lmc serve batches its slots' decode steps always", {"no-cont-batching"}),
      inert("metrics", "", "lmc serve answers /metrics always"),
      inert("slots", "", "lmc serve answers /slots unless --no-slots"),
      inert("props", "", "lmc serve answers /props always"),
      inert("threads-http", "N", "lmc serve's HTTP side runs on threads of its own"),
      inert("cache-reuse", "N",
            "a slot reuses the longest prefix its cache holds of a prompt; what follows a difference is read again"),
      inert("kv-unified", "", "each of lmc serve's slots has a KV cache of its own", {"no-kv-unified"}),
      inert("offline", "", "lmc reads local files only, always"),
      inert("tags", "TAGS", "lmc's /models lists no tags"),
      inert("reasoning", "on|off|auto",
            "a chat's reasoning is what --reasoning-format and a request's chat_template_kwargs make it"),
      inert("swa-full", "", "lmc sizes a sliding-window layer's cache itself"),
      inert("sleep-idle-seconds", "N", "lmc serve keeps the model loaded; the system pages out what stays unused"),
      inert("media-path", "DIR", "lmc serve reads text: no image or audio input"),
      inert("tools", "LIST", "lmc serve runs no tools of its own; a request's tools are its client's to run"),
      inert("context-shift", "", "a generation stops at the end of its context, finish_reason \"length\"",
            {"no-context-shift"}),
      inert("backend-sampling", "", "lmc samples on the CPU, in the step that computed the logits",
            {"backend_sampling"}),
      inert("ui-mcp-proxy", "", "lmc's chat page calls no MCP servers"),
      inert("cache-ram", "N", "each slot keeps its own prompt cache, sized by --ctx-size"),
      inert("cache-idle-slots", "", "each slot keeps its own prompt cache while idle"),
  };
}

void refuse_llama_flags(const Args& a) {
  if (a.has("hf-repo"))
    throw UsageError(
        "-hf downloads a model from Hugging Face, and lmc reads local files only: download the GGUF "
        "and give it with -m FILE");
}

}  // namespace lmc::tools
