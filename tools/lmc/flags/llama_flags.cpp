#include "tools/lmc/flags/llama_flags.h"

namespace lmc::tools {

std::vector<FlagSpec> llama_flag_specs() {
  const char* no_gpu = "lmc runs on this machine's CPU; there is no GPU to offload to";
  const char* no_shift =
      "lmc does not shift a full context: generation stops there and says so (a server's answer ends with "
      "finish_reason \"length\")";
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
      {"version", false, "print lmc's version and exit"},
      {"no-warmup",
       false,
       "llama.cpp's (accepted, does nothing)",
       "",
       false,
       "",
       {"warmup"},
       {},
       "lmc runs no warm-up step: its kernels are compiled and linked when the model opens"},
      {"keep",
       true,
       "llama.cpp's tokens kept when the context shifts (accepted, does nothing)",
       "N",
       false,
       "",
       {},
       {},
       no_shift},
      {"no-context-shift",
       false,
       "llama.cpp's (accepted, does nothing)",
       "",
       false,
       "",
       {"context-shift"},
       {},
       no_shift},
      {"fit",
       true,
       "llama.cpp's fitting to a GPU's memory (accepted, does nothing)",
       "on|off",
       false,
       "",
       {},
       {},
       no_gpu},
      {"device", true, "llama.cpp's devices to offload to (accepted, does nothing)", "LIST", false, "", {}, {}, no_gpu},
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
      inert("slots", "", "lmc serve answers /slots unless --no-slots"),
      inert("props", "", "lmc serve answers /props always"),
      inert("threads-http", "N", "lmc serve's HTTP side runs on threads of its own"),
      inert("cache-reuse", "N",
            "a slot reuses the longest prefix its cache holds of a prompt; what follows a difference is read again"),
      inert("offline", "", "lmc reads local files only, always"),
      {"tags", true, "tags /v1/models lists for the model (a comma-separated list)", "TAGS"},
      {"reasoning", true,
       "whether chat templates open the model's thinking: their enable_thinking variable, false with off, else true "
       "(llama-server's; a request's chat_template_kwargs overrides it)",
       "on|off|auto"},
      inert("swa-full", "", "lmc sizes a sliding-window layer's cache itself"),
      {"sleep-idle-seconds", true,
       "seconds with nothing to do after which /props says is_sleeping (lmc keeps the model loaded: the system "
       "pages out what stays unused); a request other than /health, /props, /models, /metrics or /slots wakes it",
       "N"},
      inert("media-path", "DIR", "lmc serve reads text: no image or audio input"),
      inert("backend-sampling", "", "lmc samples on the CPU, in the step that computed the logits",
            {"backend_sampling"}),
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
