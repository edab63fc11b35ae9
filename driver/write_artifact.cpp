#include "driver/write_artifact.h"

#include "driver/remarks_section.h"
#include "ir/op_registry.h"

#include <deque>
#include <filesystem>
#include <future>
#include <set>

#include "codegen/target.h"
#include "ir/printer.h"
#include "models/model_tokenizer.h"
#include "models/tokenizer/tokenizer_io.h"
#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_key.h"
#include "runtime/artifact/digest.h"
#include "runtime/file_digest.h"
#include "support/cancellation.h"
#include "support/thread_start.h"
#include "support/untrusted_text.h"

namespace lmc::driver {

namespace {

std::vector<int64_t> dims_of(const ir::Type& t) {
  std::vector<int64_t> out;
  for (const auto& d : t.dims) out.push_back(d.value);
  return out;
}

// Two weights are packed at once while the one before them is written (its bytes copied into
// the file and hashed): packing a folder's F32 or BF16 weights (widened, stacked, rounded to
// Q8_0) takes a core each and several times longer than writing, which a GGUF's blocks,
// copied as stored, take about as long as.
uint64_t write_weights(runtime::ArtifactWriter& w, const CompiledModel& c, const PackProgress& progress) {
  std::vector<const ir::Op*> params;
  std::set<std::string> seen;
  for (const auto& op : c.model.graph->ops())
    if (ir::is_role(*op, ir::OpRole::Weight) && seen.insert(op->attr_str("name")).second) params.push_back(op.get());
  auto pack = [&c](const ir::Op* op) {
    return start_async("pack weight " + quoted_name(op->attr_str("name")), [&c, op] {
      return c.model.weights->materialize(op->attr_str("name"), op->result()->type().dtype);
    });
  };
  constexpr size_t kPacking = 2;
  std::deque<std::future<std::vector<uint8_t>>> ahead;
  size_t next = 0;
  auto pack_ahead = [&] {
    while (next < params.size() && ahead.size() < kPacking) ahead.push_back(pack(params[next++]));
  };
  pack_ahead();
  uint64_t bytes = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    check_cancelled();
    std::vector<uint8_t> data = ahead.front().get();
    ahead.pop_front();
    pack_ahead();
    const ir::Type& t = params[i]->result()->type();
    bytes += data.size();
    w.add_weight(params[i]->attr_str("name"), t.dtype, dims_of(t),
                 std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    if (progress) progress(static_cast<int64_t>(i + 1), static_cast<int64_t>(params.size()));
  }
  return bytes;
}

// The plugins and pass files the pipeline loaded, by absolute path and content.
std::vector<runtime::PluginRecord> plugin_records(const CompileRequest& r) {
  std::vector<runtime::PluginRecord> out;
  for (const auto* files : {&r.plugins, &r.pass_files})
    for (const auto& file : *files)
      out.push_back({std::filesystem::absolute(file).lexically_normal().string(),
                     runtime::digest_hex(runtime::file_digest(file))});
  return out;
}

}  // namespace

uint64_t write_artifact(CompiledModel& c, const CompileRequest& r, const std::string& path,
                        const PackProgress& progress) {
  runtime::ArtifactWriter w(path, runtime::user_key());
  w.add_section("ir", ir::print(*c.model.graph));
  if (c.tokenizer)  // a graph compiled from IR text has none
    w.add_section("tokenizer", models::serialize_vocab(models::load_model_vocab(c.model.def, *c.model.weights)));
  // Both threads only read the graph and the weights; the kernel thread alone writes
  // c.compiler and c.object. Should packing throw, the future's destructor waits for it.
  auto kernels = start_async("generate the kernels", [&c, &r] { generate_kernels(c, r); });
  uint64_t weight_bytes = write_weights(w, c, progress);
  kernels.get();
  w.add_section("kernels", c.object);
  w.add_section("remarks", encode_remarks(c.remarks));
  runtime::ArtifactManifest m;
  m.model = c.model.info.name;
  m.pipeline = c.pipeline;
  m.plugins = plugin_records(r);
  m.target = c.compiler->target();
  m.isa = codegen::isa_features(m.target);
  m.info = c.model.info;
  m.kernels = c.compiler->kernels();
  w.finish(m);
  return weight_bytes;
}

}  // namespace lmc::driver
