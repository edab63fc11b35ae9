// lmc compile: model YAML -> optimized graph -> generated kernels -> one artifact.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>

#include "ir/op_registry.h"
#include "ir/printer.h"
#include "models/model_tokenizer.h"
#include "models/tokenizer_io.h"
#include "runtime/artifact.h"
#include "tools/commands.h"
#include "tools/compile_driver.h"
#include "tools/output_file.h"
#include "tools/output_guard.h"
#include "tools/progress.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = compile_flag_specs();
  s.push_back({"o", true, "artifact to write (default: <model name>.lmc)", "FILE"});
  s.push_back({"emit-ir", false, "write the optimized graph as IR text (-o FILE.lir) instead of an artifact"});
  s.push_back({"help", false, "show this help"});
  return s;
}

std::vector<int64_t> dims_of(const ir::Type& t) {
  std::vector<int64_t> out;
  for (const auto& d : t.dims) out.push_back(d.value);
  return out;
}

uint64_t write_weights(runtime::ArtifactWriter& w, const CompiledModel& c) {
  std::vector<const ir::Op*> params;
  for (const auto& op : c.model.graph->ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) params.push_back(op.get());
  Progress bar("packing", static_cast<int64_t>(params.size()));
  uint64_t bytes = 0;
  std::set<std::string> done;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& name = params[i]->attr_str("name");
    if (!done.insert(name).second) continue;
    const ir::Type& t = params[i]->result()->type();
    auto data = c.model.weights->materialize(name, t.dtype);
    bytes += data.size();
    w.add_weight(name, t.dtype, dims_of(t),
                 std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    bar.update(static_cast<int64_t>(i + 1));
  }
  return bytes;
}

std::vector<InputFile> inputs(const std::string& yaml, const CompiledModel& c) {
  std::vector<InputFile> in = {{yaml, "the model definition"}, {c.model.weights->path(), "the weights"}};
  if (c.model.def.tokenizer != "gguf") in.push_back({c.model.def.tokenizer, "the tokenizer"});
  return in;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}

}  // namespace

int cmd_compile(int argc, char** argv) {
  Args a(specs(), argc, argv, 2);
  if (a.has("help")) {
    std::cout << "usage: lmc compile MODEL.yaml [-o OUT.lmc] [options]\n\n"
                 "Lowers the model definition to IR, runs the pass pipeline, generates every kernel\n"
                 "through LLVM and writes one artifact (manifest, IR, object code, tokenizer, packed\n"
                 "weights) for `lmc run`.\n\noptions:\n"
              << Args::help_text(specs());
    return 0;
  }
  if (a.positional().size() != 1) throw UsageError("lmc compile expects one model definition (.yaml)");
  auto t0 = std::chrono::steady_clock::now();
  CompiledModel c = compile_model(a.positional()[0], a);

  if (a.has("emit-ir")) {
    std::string out = a.get_or("o", sanitize(c.model.info.name) + ".lir");
    refuse_input_as_output(out, inputs(a.positional()[0], c));
    write_output_file(out, ir::print(*c.model.graph));
    return 0;
  }
  std::string out = a.get_or("o", sanitize(c.model.info.name) + ".lmc");
  refuse_input_as_output(out, inputs(a.positional()[0], c));
  runtime::ArtifactWriter w(out, runtime::user_key());
  w.add_section("ir", ir::print(*c.model.graph));
  w.add_section("kernels", c.object);
  w.add_section("tokenizer", models::serialize_vocab(models::load_model_vocab(c.model.def, *c.model.weights)));
  uint64_t weight_bytes = write_weights(w, c);
  runtime::ArtifactManifest m;
  m.model = c.model.info.name;
  m.pipeline = c.pipeline;
  m.target = c.compiler->target();
  m.info = c.model.info;
  m.kernels = c.compiler->kernels();
  w.finish(m);

  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << "lmc compile: " << out << "\n";
  for (const auto& s : c.pass_summary) std::cerr << "  " << s << "\n";
  const auto& cs = c.compiler->stats();
  std::fprintf(stderr, "  %d kernels (%s) in %.2f s; packed %.1f MB of weights; total %.2f s\n", cs.kernels,
               c.compiler->target().str().c_str(), cs.total_seconds(), weight_bytes / 1e6, total);
  return 0;
}

}  // namespace lmc::tools
