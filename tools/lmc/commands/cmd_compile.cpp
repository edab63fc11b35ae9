// lmc compile: model YAML (or a GGUF or HF folder, lowered by the definition serving its
// architecture, or a graph as IR text) -> optimized graph -> generated kernels -> one artifact.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "driver/model_shard.h"
#include "driver/write_artifact.h"
#include "ir/printer.h"
#include "support/output_path.h"
#include "support/pending_file.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/commands/output_guard.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/process/progress.h"
#include "tools/lmc/reports/compile_report.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = compile_flag_specs();
  s.push_back({"o", true,
               "artifact to write (default: <model name>.lmc); with --tensor-parallel=N and no "
               "--rank, one per rank: FILE.rank0.lmc ...",
               "FILE"});
  s.push_back({"emit-ir", false, "write the optimized graph as IR text (-o FILE.lir) instead of an artifact"});
  s.push_back(report_flag_spec());
  for (FlagSpec& f : amx_flag_specs()) s.push_back(std::move(f));
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

std::vector<InputFile> inputs(const driver::CompiledModel& c, const driver::CompileRequest& r) {
  std::vector<InputFile> in;
  if (c.model.weights) in.push_back({c.model.weights->path(), "the weights"});
  if (!c.tokenizer) {  // a graph read from IR text
    in.push_back({r.model, "the graph"});
    return in;
  }
  in.push_back({c.model.def.path, "the model definition"});
  if (c.model.def.tokenizer != "gguf") in.push_back({c.model.def.tokenizer, "the tokenizer"});
  return in;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}

// Compiles `request` and writes its artifact (or IR with --emit-ir) to `out`, or to a name
// from the model's when `out` is empty (rank r's share: <name>.rank<r>.lmc), and the
// report when one is asked for; the path written.
std::string compile_one(const driver::CompileRequest& request, const Args& a, std::string out,
                        CompileReporter* reporter = nullptr, std::optional<int64_t> rank = {}) {
  auto t0 = std::chrono::steady_clock::now();
  driver::CompileRequest r = request;
  if (reporter) {
    reporter->watch(r.instrumentation);
    if (!a.has("emit-ir")) reporter->want_assembly(r.codegen);
  }
  driver::CompiledModel c = driver::compile_graph(r);
  if (out.empty()) {
    out = sanitize(c.model.info.name) + (a.has("emit-ir") ? ".lir" : ".lmc");
    if (rank) out = driver::rank_path(out, *rank);
  }
  refuse_input_as_output(out, inputs(c, r));
  if (a.has("emit-ir")) {
    runtime::write_output(out, ir::print(*c.model.graph));
    if (reporter) reporter->write(c.model.info.name, c.model.graph.get(), c.pipeline, "");
    return out;
  }
  std::unique_ptr<Progress> bar;
  uint64_t weight_bytes = driver::write_artifact(c, r, out, [&](int64_t done, int64_t total) {
    if (!bar) bar = std::make_unique<Progress>("packing", total);
    bar->update(done);
  });
  bar.reset();
  if (reporter) reporter->write(c.model.info.name, c.model.graph.get(), c.pipeline, c.compiler->target().str());

  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << "lmc compile: " << out << "\n";
  for (const auto& s : c.pass_summary) std::cerr << "  " << s << "\n";
  const auto& cs = c.compiler->stats();
  char made[64] = "from the kernel object cache";
  if (!c.object_cached) std::snprintf(made, sizeof made, "in %.2f s", cs.total_seconds());
  std::fprintf(stderr, "  %zu kernels (%s) %s; packed %.1f MB of weights; total %.2f s\n", c.compiler->kernels().size(),
               c.compiler->target().str().c_str(), made, weight_bytes / 1e6, total);
  return out;
}

}  // namespace

int cmd_compile(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc compile MODEL.yaml|MODEL.gguf|HF_FOLDER|GRAPH.lir [-o OUT.lmc] [options]\n\n"
                   "Lowers the model definition to IR, runs the pass pipeline, generates every kernel\n"
                   "through LLVM and writes one artifact (manifest, IR, object code, tokenizer, packed\n"
                   "weights) for `lmc run`. A .gguf or a Hugging Face folder (config.json, *.safetensors,\n"
                   "tokenizer.json) is lowered by the definition that serves its architecture\n"
                   "(docs/model-definitions.md) and names the artifact. A graph as IR text (.lir, as\n"
                   "lmc opt reads it) is compiled as it is: its params come from --weights FILE (a .gguf\n"
                   "or SafeTensors), and its artifact, which has no tokenizer, is for lmc inspect and\n"
                   "lmc verify; --emit-ir needs no weights.\n\noptions:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (a.positional().size() != 1)
    throw UsageError("lmc compile expects one model definition (.yaml), .gguf, Hugging Face folder or graph (.lir)");
  driver::CompileRequest r = compile_request(a.positional()[0], a, TargetDefault::Portable);
  r.packs_weights = !a.has("emit-ir");
  // --tensor-parallel=N alone compiles every rank's share, each to its own file; with
  // --rank, that rank's share to -o.
  int64_t ranks = a.has("rank") ? 1 : a.get_int("tensor-parallel", 1, 1, 4096);
  if (ranks == 1) {
    auto reporter = CompileReporter::open(a);
    compile_one(r, a, a.get_or("o", ""), reporter.get());
    if (reporter) std::cerr << "  report: " << reporter->path() << "\n";
    return 0;
  }
  if (a.has("report")) throw UsageError("--report reports one compile: give --rank with --tensor-parallel");
  // Each rank's file is named beside -o's: a device or pipe has no folder to hold them.
  if (auto o = a.get("o"); o && runtime::classify_output(*o).kind == runtime::OutputPath::Kind::Stream)
    throw UsageError("-o " + *o + ": --tensor-parallel writes a file per rank beside it; give a file name");
  // The ranks' artifacts are one output: a rank that fails to compile takes the ones
  // written before it away.
  std::vector<std::string> written;
  try {
    for (int64_t rank = 0; rank < ranks; ++rank) {
      r.pass_options["rank"] = std::to_string(rank);
      std::string out = a.get_or("o", "").empty() ? "" : driver::rank_path(*a.get("o"), rank);
      written.push_back(compile_one(r, a, out, nullptr, rank));
    }
  } catch (...) {
    std::error_code ignored;
    for (const auto& f : written) std::filesystem::remove(f, ignored);
    throw;
  }
  return 0;
}

}  // namespace lmc::tools
