// lmc inspect: what a model definition, GGUF or SafeTensors file, mmproj or artifact contains.
// Every string read from the file is printed through printable(): a file's metadata must
// not be able to drive the user's terminal.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "driver/remarks_section.h"
#include "ir/printer.h"
#include "models/chat/chat_format.h"
#include "models/formats/gguf_file.h"
#include "models/formats/safetensors_file.h"
#include "models/hf_names.h"
#include "models/lowering.h"
#include "models/model_tokenizer.h"
#include "models/vision/mmproj.h"
#include "models/weight_source.h"
#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_format.h"
#include "support/error.h"
#include "support/regular_file.h"
#include "support/untrusted_text.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/reports/prefill_choices.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  return {{"weights", true, "with a .yaml: read weights from PATH instead", "PATH"},
          {"tensors", false, "list every tensor (default: the first 20 and a count)"},
          {"help", false, "show this help", "", false, "h"}};
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

void print_tensors(const models::WeightSource& w, bool all) {
  uint64_t total = 0;
  size_t n = 0;
  auto row = [&](const std::string& name, const std::string& dtype, const std::vector<int64_t>& shape, uint64_t bytes) {
    total += bytes;
    if (all || n < 20)
      std::printf("  %-48s %-8s %-18s %12llu\n", printable(name).c_str(), dtype.c_str(), shape_str(shape).c_str(),
                  static_cast<unsigned long long>(bytes));
    ++n;
  };
  std::printf("tensors:\n  %-48s %-8s %-18s %12s\n", "name", "dtype", "shape", "bytes");
  if (const auto* g = w.gguf())
    for (const auto& t : g->tensors()) row(t.name, models::ggml_type_name(t.type), t.shape, t.nbytes);
  else
    for (const auto& t : w.safetensors()->tensors())
      row(t.name, std::string(ir::dtype_name(t.dtype)), t.shape, t.nbytes);
  if (!all && n > 20) std::printf("  ... %zu more (--tensors lists all)\n", n - 20);
  std::printf("total: %zu tensors, %.1f MB\n", n, total / 1e6);
}

void print_metadata(const models::WeightSource& w) {
  std::printf("format: %s\n", w.format().c_str());
  if (const auto* g = w.gguf()) {
    std::printf("GGUF version %u, %zu metadata keys\n", g->version(), g->metadata().size());
    for (const auto& [k, v] : g->metadata()) {
      if (k.rfind("tokenizer.ggml.", 0) == 0 && std::holds_alternative<models::MetaArray>(v.v)) {
        std::printf("  %-44s [%zu entries]\n", printable(k).c_str(), std::get<models::MetaArray>(v.v).size());
        continue;
      }
      auto val = w.meta(k);
      // Metadata is the file's to choose: escape sequences in it must not reach the terminal.
      std::string s = val ? excerpt(models::expr_to_string(*val), 60) : "?";
      std::printf("  %-44s %s\n", printable(k).c_str(), s.c_str());
    }
  } else {
    for (const auto& [k, v] : w.safetensors()->config()) {
      auto val = w.meta(k);
      if (val) std::printf("  %-44s %s\n", printable(k).c_str(), excerpt(models::expr_to_string(*val), 60).c_str());
    }
  }
}

// What a folder of a family the HF map knows reads as: the GGUF names a definition uses.
void print_gguf_view(const models::WeightSource& w, bool all) {
  const models::HfNames* hf = w.hf_names();
  if (!hf || hf->architecture().empty()) return;
  std::printf("read as GGUF (models/hf_names.cpp):\n");
  for (const auto& key : hf->meta_keys())
    std::printf("  %-44s %s\n", key.c_str(), excerpt(models::expr_to_string(*w.meta(key)), 60).c_str());
  static const char* kChange[] = {"", ", rows in RoPE's pairs", ", 1 + w"};
  size_t n = 0;
  for (const auto& [name, t] : hf->tensors()) {
    if (!all && n++ >= 20) continue;  // counted, as print_tensors counts, for the "more" line
    std::string from = !t.meta_list.empty() ? "config.json " + t.meta_list
                       : t.stacked          ? std::to_string(t.parts.size()) + " experts' " + t.parts[0] + ", ..."
                                            : t.parts[0];
    std::printf("  %-36s %-18s <- %s%s\n", name.c_str(), shape_str(w.tensor_shape(name)).c_str(),
                printable(from).c_str(), kChange[static_cast<int>(t.change)]);
  }
  if (!all && n > 20) std::printf("  ... %zu more (--tensors lists all)\n", n - 20);
}

std::string rgb_text(const std::array<float, 3>& v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%g, %g, %g]", v[0], v[1], v[2]);
  return buf;
}

// An mmproj read as lmc reads it (checked: a bad one fails the command), in the words of
// what it does to an image.
void print_vision(const models::MmprojFile& m) {
  const models::VisionHParams& hp = m.hparams();
  auto n = [](int64_t v) { return static_cast<long long>(v); };
  std::printf("vision tower (mmproj): projector %s\n", hp.projector.c_str());
  std::printf("  image %lld px square in %lld px patches (%lld x %lld), pooled by %lld to %lld tokens of width %lld\n",
              n(hp.image_size), n(hp.patch_size), n(hp.patches_per_side()), n(hp.patches_per_side()), n(hp.pool),
              n(hp.image_tokens()), n(hp.projection_dim));
  std::printf("  encoder %lld blocks, width %lld, %lld heads, MLP %lld (%s), LayerNorm epsilon %g\n", n(hp.block_count),
              n(hp.embedding_length), n(hp.head_count), n(hp.feed_forward_length), hp.use_gelu ? "GELU" : "quick GELU",
              hp.layer_norm_epsilon);
  std::printf("  pixels (v / 255 - mean) / std, mean %s, std %s\n", rgb_text(hp.image_mean).c_str(),
              rgb_text(hp.image_std).c_str());
}

// "chatml, system message \"...\"; rendered by the weights' own template (N bytes)": what
// lmc chat will use, the family being the fallback.
std::string chat_summary(const ir::ChatFormat& f) {
  if (f.empty()) return "none (the weights carry no chat template, the definition no 'chat:')";
  std::string own =
      f.jinja.empty() ? "" : "rendered by the weights' own template (" + std::to_string(f.jinja.size()) + " bytes)";
  if (f.turns.empty()) return own;
  return f.family +
         (f.default_system.empty() ? ", no default system message"
                                   : ", system message \"" + excerpt(f.default_system, 60) + "\"") +
         (own.empty() ? "" : "; " + own);
}

void inspect_yaml(const std::string& path, const Args& a) {
  models::LowerOptions lo;
  lo.weights = a.get_or("weights", "");
  auto m = models::lower_model(path, lo);
  std::printf("model: %s (%s)\nweights: %s (%s)\n", printable(m.info.name).c_str(), printable(path).c_str(),
              printable(m.info.weights).c_str(), m.weights->format().c_str());
  std::printf("hyper-parameters:\n");
  for (const auto& [k, v] : m.info.hyper) std::printf("  %-20s %s\n", printable(k).c_str(), printable(v).c_str());
  std::printf("context %lld tokens, at most %lld per step\n", static_cast<long long>(m.info.context),
              static_cast<long long>(m.info.step_tokens));
  size_t ops = m.graph->ops().size();
  std::printf("graph: %zu ops, %zu inputs, %zu outputs\n", ops, m.graph->args().size(), m.graph->outputs().size());
  auto tok = models::Tokenizer::create(models::load_model_vocab(m.def, *m.weights));
  std::printf("tokenizer: %s, %zu tokens, bos %d, eos %d\n",
              tok->settings().kind == models::TokenizerSettings::SentencePiece ? "SentencePiece BPE" : "byte-level BPE",
              tok->size(), tok->bos(), tok->eos());
  std::printf("chat: %s\n", printable(chat_summary(m.info.chat)).c_str());
  print_tensors(*m.weights, a.has("tensors"));
}

// Through open_regular_file: a FIFO must not block the sniff. Anything it refuses is
// not an artifact; the reader that follows says what is wrong with it.
bool is_artifact(const std::string& path) {
  int fd = -1;
  try {
    fd = open_regular_file(path);
  } catch (const Error&) {
    return false;
  }
  std::string magic(runtime::artifact_format::kMagic.size(), '\0');
  ssize_t n = ::read(fd, magic.data(), magic.size());
  ::close(fd);
  return n == static_cast<ssize_t>(magic.size()) && magic == runtime::artifact_format::kMagic;
}

void inspect_artifact(const std::string& path, bool all) {
  auto art = runtime::Artifact::open(path);
  std::printf("format: lmc artifact, format version %u\nsections:\n", runtime::kArtifactFormatVersion);
  for (const auto& s : art->sections())
    std::printf("  %-16s offset %12llu  %12llu bytes\n", printable(s.name).c_str(),
                static_cast<unsigned long long>(s.offset), static_cast<unsigned long long>(s.size));
  std::printf("manifest:\n");
  for (const auto& [k, v] : art->manifest()) std::printf("  %s=%s\n", printable(k).c_str(), printable(v).c_str());
  uint64_t total = 0;
  size_t n = 0;
  std::printf("tensors:\n  %-48s %-8s %-18s %12s\n", "name", "dtype", "shape", "bytes");
  for (const auto& w : art->weight_index()) {
    total += w.bytes;
    if (all || n++ < 20)
      std::printf("  %-48s %-8s %-18s %12llu\n", printable(w.name).c_str(),
                  std::string(ir::dtype_name(w.dtype)).c_str(), shape_str(w.shape).c_str(),
                  static_cast<unsigned long long>(w.bytes));
  }
  size_t count = art->weight_index().size();
  if (!all && count > 20) std::printf("  ... %zu more (--tensors lists all)\n", count - 20);
  std::printf("total: %zu tensors, %.1f MB\n", count, total / 1e6);
  if (art->has_section("remarks"))
    print_prefill_choices(driver::decode_remarks(art->section("remarks"), path + ":remarks"), stdout);
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc inspect MODEL.yaml|FILE.gguf|FILE.safetensors|DIR|FILE.lmc [options]\n\n"
                   "Prints the architecture, hyper-parameters, tokenizer and tensors; for an mmproj\n"
                   "(llama.cpp's --mmproj file) its vision tower, checked as lmc reads it; for an artifact\n"
                   "(recognized by its magic bytes, whatever its name) its sections, manifest and the\n"
                   "prefill kernels tune-prefill chose.\n\noptions:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (a.positional().size() != 1) throw UsageError("lmc inspect expects one file");
  const std::string& path = a.positional()[0];
  if (path.size() > 5 && (path.substr(path.size() - 5) == ".yaml" || path.substr(path.size() - 4) == ".yml")) {
    inspect_yaml(path, a);
    return 0;
  }
  if (is_artifact(path)) {
    inspect_artifact(path, a.has("tensors"));
    return 0;
  }
  auto w = models::WeightSource::open(path);
  std::unique_ptr<models::MmprojFile> mmproj;
  if (w->gguf() && models::is_mmproj(*w->gguf())) mmproj = models::MmprojFile::open(path);
  print_metadata(*w);
  if (mmproj) print_vision(*mmproj);
  if (w->gguf() && w->gguf()->find("tokenizer.ggml.model"))
    std::printf("tokenizer: %s, %lld tokens\n", printable(w->gguf()->get_string("tokenizer.ggml.model")).c_str(),
                static_cast<long long>(std::get<double>(*w->meta("tokenizer.ggml.tokens"))));
  if (w->gguf() && w->gguf()->find("tokenizer.chat_template")) {
    auto chat = models::chat_format_of_template(w->gguf()->get_string("tokenizer.chat_template"));
    std::printf("chat template: %s\n", chat ? printable(chat_summary(*chat)).c_str() : "not one of the known families");
  }
  print_gguf_view(*w, a.has("tensors"));
  print_tensors(*w, a.has("tensors"));
  return 0;
}

}  // namespace lmc::tools
