#include "models/hf_names.h"

#include <cmath>

#include "models/formats/safetensors_file.h"
#include "support/error.h"

namespace lmc::models {

namespace {

// What a family's folders need beyond the renaming: its GGUF architecture, whether its q
// and k rows are reordered for RoPE's pairs, whether its norms are Gemma's (1 + w, and
// post_attention_layernorm a norm after attention rather than before the feed-forward).
struct Family {
  const char* model_type;
  const char* arch;
  bool rope_pairs = false;
  bool gemma = false;
};

constexpr Family kFamilies[] = {
    {"llama", "llama", true},
    {"mistral", "llama", true},
    {"mixtral", "llama", true},
    {"qwen2", "qwen2"},
    {"qwen3", "qwen3"},
    {"qwen2_moe", "qwen2moe"},
    {"qwen3_moe", "qwen3moe"},
    {"olmoe", "olmoe"},
    {"phi3", "phi3"},
    {"gemma2", "gemma2", false, true},
    {"gemma3_text", "gemma3", false, true},
};

enum class Only { all, gemma, not_gemma };

// One tensor name stem (".weight" or ".bias" follows) in both spellings; {i} is the layer,
// {e} the expert, whose tensors are stacked.
struct Stem {
  const char* hf;
  const char* gguf;
  Only only = Only::all;
  bool squeeze = false;  // HF's [1, n] is the GGUF's [n]
};

constexpr Stem kStems[] = {
    {"model.embed_tokens", "token_embd"},
    {"lm_head", "output"},
    {"model.norm", "output_norm"},
    {"model.layers.{i}.input_layernorm", "blk.{i}.attn_norm"},
    {"model.layers.{i}.self_attn.q_proj", "blk.{i}.attn_q"},
    {"model.layers.{i}.self_attn.k_proj", "blk.{i}.attn_k"},
    {"model.layers.{i}.self_attn.v_proj", "blk.{i}.attn_v"},
    {"model.layers.{i}.self_attn.o_proj", "blk.{i}.attn_output"},
    {"model.layers.{i}.self_attn.qkv_proj", "blk.{i}.attn_qkv"},
    {"model.layers.{i}.self_attn.q_norm", "blk.{i}.attn_q_norm"},
    {"model.layers.{i}.self_attn.k_norm", "blk.{i}.attn_k_norm"},
    {"model.layers.{i}.post_attention_layernorm", "blk.{i}.ffn_norm", Only::not_gemma},
    {"model.layers.{i}.post_attention_layernorm", "blk.{i}.post_attention_norm", Only::gemma},
    {"model.layers.{i}.pre_feedforward_layernorm", "blk.{i}.ffn_norm"},
    {"model.layers.{i}.post_feedforward_layernorm", "blk.{i}.post_ffw_norm"},
    {"model.layers.{i}.mlp.gate_proj", "blk.{i}.ffn_gate"},
    {"model.layers.{i}.mlp.up_proj", "blk.{i}.ffn_up"},
    {"model.layers.{i}.mlp.down_proj", "blk.{i}.ffn_down"},
    {"model.layers.{i}.mlp.gate_up_proj", "blk.{i}.ffn_up"},
    {"model.layers.{i}.mlp.gate", "blk.{i}.ffn_gate_inp"},
    {"model.layers.{i}.block_sparse_moe.gate", "blk.{i}.ffn_gate_inp"},
    {"model.layers.{i}.mlp.experts.{e}.gate_proj", "blk.{i}.ffn_gate_exps"},
    {"model.layers.{i}.mlp.experts.{e}.up_proj", "blk.{i}.ffn_up_exps"},
    {"model.layers.{i}.mlp.experts.{e}.down_proj", "blk.{i}.ffn_down_exps"},
    {"model.layers.{i}.block_sparse_moe.experts.{e}.w1", "blk.{i}.ffn_gate_exps"},
    {"model.layers.{i}.block_sparse_moe.experts.{e}.w3", "blk.{i}.ffn_up_exps"},
    {"model.layers.{i}.block_sparse_moe.experts.{e}.w2", "blk.{i}.ffn_down_exps"},
    {"model.layers.{i}.mlp.shared_expert.gate_proj", "blk.{i}.ffn_gate_shexp"},
    {"model.layers.{i}.mlp.shared_expert.up_proj", "blk.{i}.ffn_up_shexp"},
    {"model.layers.{i}.mlp.shared_expert.down_proj", "blk.{i}.ffn_down_shexp"},
    {"model.layers.{i}.mlp.shared_expert_gate", "blk.{i}.ffn_gate_inp_shexp", Only::all, true},
};

// A GGUF key's suffix after "<arch>." and the config.json keys it is read from, the first
// one set.
struct Key {
  const char* gguf;
  std::vector<const char*> hf;
};

const std::vector<Key>& keys() {
  static const std::vector<Key> k = {
      {"embedding_length", {"hidden_size"}},
      {"block_count", {"num_hidden_layers"}},
      {"context_length", {"max_position_embeddings"}},
      {"feed_forward_length", {"intermediate_size"}},
      {"attention.head_count", {"num_attention_heads"}},
      {"attention.head_count_kv", {"num_key_value_heads", "num_attention_heads"}},
      {"attention.key_length", {"head_dim"}},
      {"attention.value_length", {"head_dim"}},
      {"attention.layer_norm_rms_epsilon", {"rms_norm_eps"}},
      {"attention.sliding_window", {"sliding_window"}},
      {"attn_logit_softcapping", {"attn_logit_softcapping"}},
      {"final_logit_softcapping", {"final_logit_softcapping"}},
      {"rope.freq_base", {"rope_theta"}},
      {"rope.freq_base_swa", {"rope_local_base_freq"}},
      {"rope.scaling.type", {"rope_scaling.rope_type", "rope_scaling.type"}},
      {"rope.scaling.factor", {"rope_scaling.factor"}},
      {"rope.scaling.original_context_length",
       {"rope_scaling.original_max_position_embeddings", "original_max_position_embeddings"}},
      {"rope.scaling.yarn_beta_fast", {"rope_scaling.beta_fast"}},
      {"rope.scaling.yarn_beta_slow", {"rope_scaling.beta_slow"}},
      {"rope.scaling.attn_factor", {"rope_scaling.attention_factor"}},
      {"expert_count", {"num_local_experts", "num_experts"}},
      {"expert_used_count", {"num_experts_per_tok"}},
      {"expert_feed_forward_length", {"moe_intermediate_size"}},
      {"expert_shared_feed_forward_length", {"shared_expert_intermediate_size"}},
  };
  return k;
}

// Matches `name` against a stem pattern; {i} and {e} take decimal numbers.
bool match(std::string_view pattern, std::string_view name, std::string& layer, int64_t& expert) {
  size_t p = 0, n = 0;
  while (p < pattern.size()) {
    if (pattern.compare(p, 3, "{i}") == 0 || pattern.compare(p, 3, "{e}") == 0) {
      size_t b = n;
      while (n < name.size() && name[n] >= '0' && name[n] <= '9' && n - b < 9) ++n;
      if (n == b || (n < name.size() && name[n] >= '0' && name[n] <= '9')) return false;
      std::string digits(name.substr(b, n - b));
      if (pattern[p + 1] == 'i')
        layer = digits;
      else
        expert = std::stoll(digits);
      p += 3;
    } else {
      if (n >= name.size() || name[n] != pattern[p]) return false;
      ++p;
      ++n;
    }
  }
  return n == name.size();
}

std::string with_layer(std::string_view pattern, const std::string& layer) {
  std::string s(pattern);
  if (auto at = s.find("{i}"); at != std::string::npos) s.replace(at, 3, layer);
  return s;
}

const Family* family_of(const std::optional<ExprValue>& model_type) {
  const auto* type = model_type ? std::get_if<std::string>(&*model_type) : nullptr;
  if (!type) return nullptr;
  for (const auto& f : kFamilies)
    if (*type == f.model_type) return &f;
  return nullptr;
}

std::optional<double> number(const std::optional<ExprValue>& v) {
  const double* d = v ? std::get_if<double>(&*v) : nullptr;
  return d ? std::optional<double>(*d) : std::nullopt;
}

// A whole count of at most 2^20 (heads), else nothing.
std::optional<int64_t> count(const std::optional<ExprValue>& v) {
  const auto d = number(v);
  if (!d || !(*d >= 1 && *d <= (1 << 20)) || *d != std::floor(*d)) return std::nullopt;
  return static_cast<int64_t>(*d);
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

HfNames::HfNames(const SafeTensorsModel& st, const std::string& folder, Config config) : config_(std::move(config)) {
  const Family* family = family_of(config_("model_type"));
  if (!family) return;
  arch_ = family->arch;
  rope_pairs_ = family->rope_pairs;
  gemma_ = family->gemma;
  for (const auto& t : st.tensors()) add_tensor(t.name);
  add_meta_lists();
  stack_experts(folder);
}

void HfNames::add_tensor(const std::string& hf_name) {
  const std::string suffix = ends_with(hf_name, ".weight") ? ".weight" : ends_with(hf_name, ".bias") ? ".bias" : "";
  if (suffix.empty()) return;
  const std::string_view stem(hf_name.data(), hf_name.size() - suffix.size());
  for (const auto& s : kStems) {
    if ((s.only == Only::gemma && !gemma_) || (s.only == Only::not_gemma && gemma_)) continue;
    std::string layer;
    int64_t expert = -1;
    if (!match(s.hf, stem, layer, expert)) continue;
    const std::string name = with_layer(s.gguf, layer) + suffix;
    HfTensor& t = tensors_[name];
    if (expert < 0) {
      t.parts = {hf_name};
    } else {
      t.stacked = true;
      experts_[name][expert] = hf_name;
    }
    t.squeeze = s.squeeze;
    if (gemma_ && ends_with(name, "norm.weight")) t.change = HfTensor::Change::plus_one;
    bool q = std::string_view(s.gguf).ends_with(".attn_q"), k = std::string_view(s.gguf).ends_with(".attn_k");
    if (rope_pairs_ && (q || k)) {
      t.change = HfTensor::Change::rope_pairs;
      // A count the config gets wrong is 0 heads, which rope_pairs refuses by name.
      t.heads = count(meta(arch_ + (q ? ".attention.head_count" : ".attention.head_count_kv"))).value_or(0);
    }
    return;
  }
}

void HfNames::add_meta_lists() {
  for (const char* which : {"long", "short"}) {
    const std::string key = std::string("rope_scaling.") + which + "_factor";
    auto v = config_(key);
    if (v && std::holds_alternative<std::vector<double>>(*v))
      tensors_[std::string("rope_factors_") + which + ".weight"].meta_list = key;
  }
}

// Experts are numbered from 0 with none left out; the numbers come from the folder's tensor
// names, so they are checked before they size anything.
void HfNames::stack_experts(const std::string& folder) {
  for (auto& [name, by_number] : experts_) {
    std::vector<std::string>& parts = tensors_[name].parts;
    for (const auto& [number, hf_name] : by_number) {
      if (number != static_cast<int64_t>(parts.size()))
        throw error_at(folder, "expert " + std::to_string(parts.size()) + " of '" + name +
                                   "' is missing (the folder has " + hf_name + ")");
      parts.push_back(hf_name);
    }
  }
  experts_.clear();
}

const HfTensor* HfNames::tensor(const std::string& gguf_name) const {
  auto it = tensors_.find(gguf_name);
  return it == tensors_.end() ? nullptr : &it->second;
}

std::optional<ExprValue> HfNames::meta(const std::string& gguf_key) const {
  if (arch_.empty()) return std::nullopt;
  if (gguf_key == "general.architecture") return arch_;
  if (gguf_key.size() <= arch_.size() + 1 || gguf_key.compare(0, arch_.size() + 1, arch_ + ".") != 0)
    return std::nullopt;
  const std::string suffix = gguf_key.substr(arch_.size() + 1);
  if (suffix == "rope.dimension_count") {  // Phi-4-mini's partial rotary
    const auto factor = number(config_("partial_rotary_factor"));
    if (!factor) return std::nullopt;
    auto head = number(config_("head_dim"));
    const auto width = number(config_("hidden_size")), heads = number(config_("num_attention_heads"));
    if (!head && width && heads && *heads > 0) head = *width / *heads;
    if (!head) return std::nullopt;
    return std::floor(*head * *factor);
  }
  for (const auto& k : keys()) {
    if (suffix != k.gguf) continue;
    for (const char* hf : k.hf) {
      auto v = config_(hf);
      if (!v) continue;
      // transformers' "default" rope is none; "su" is LongRoPE's first name.
      if (suffix == "rope.scaling.type" && std::holds_alternative<std::string>(*v)) {
        const auto& type = std::get<std::string>(*v);
        if (type == "default") return std::nullopt;
        if (type == "su") return std::string("longrope");
      }
      return v;
    }
  }
  return std::nullopt;
}

std::vector<std::string> HfNames::meta_keys() const {
  std::vector<std::string> out;
  if (arch_.empty()) return out;
  out.push_back("general.architecture");
  for (const auto& k : keys())
    if (meta(arch_ + "." + k.gguf)) out.push_back(arch_ + "." + k.gguf);
  if (meta(arch_ + ".rope.dimension_count")) out.push_back(arch_ + ".rope.dimension_count");
  return out;
}

std::vector<float> rope_pairs(const std::vector<float>& in, int64_t rows, int64_t cols, int64_t heads) {
  if (heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0)
    throw Error("cannot reorder " + std::to_string(rows) + " rows as " + std::to_string(heads) +
                " heads of rotary pairs");
  const int64_t head = rows / heads, half = head / 2;
  std::vector<float> out(in.size());
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t j = 0; j < half; ++j)
      for (int64_t s = 0; s < 2; ++s) {
        const float* from = in.data() + (h * head + s * half + j) * cols;
        std::copy(from, from + cols, out.data() + (h * head + 2 * j + s) * cols);
      }
  return out;
}

}  // namespace lmc::models
