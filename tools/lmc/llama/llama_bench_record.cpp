#include "tools/lmc/llama/llama_bench_record.h"

#include <cpuid.h>

#include <cmath>
#include <cstring>
#include <ctime>

#include "ir/op_traits.h"
#include "models/formats/gguf_file.h"
#include "support/error.h"
#include "tools/lmc/llama/build_commit.h"
#include "tools/lmc/llama/llama_model_type.h"

namespace lmc::tools {

namespace {

using json = nlohmann::ordered_json;

// The CPU's brand string, as llama.cpp's CPU device describes itself (cpu_info).
std::string cpu_brand() {
  unsigned regs[12] = {};
  // clang's cpuid.h answers int, gcc's unsigned.
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000u, nullptr)) < 0x80000004u) return "CPU";
  for (unsigned i = 0; i < 3; ++i)
    __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
  char brand[49] = {};
  std::memcpy(brand, regs, 48);
  std::string s = brand;
  size_t first = s.find_first_not_of(' '), last = s.find_last_not_of(' ');
  return first == std::string::npos ? "CPU" : s.substr(first, last - first + 1);
}

// The dtype the KV caches are stored in: the first cache a kv_write writes.
// The dtype of the first cache of keys (or of values) an attention reads.
std::string kv_type(const ir::Graph& g, bool values) {
  for (const auto& op : g.ops())
    for (const ir::Op* run : ir::ops_run_by(*op))
      for (size_t i = 0; i < run->operands().size(); ++i)
        if (!ir::writes_in_place(*run) && ir::reads_cache(*run, i) && ir::reads_value_cache(*run, i) == values)
          return std::string(ir::dtype_name(run->operand(i)->type().dtype));
  return "f16";
}

// Each run's nanoseconds for the figure's tokens (all streams'), from its tokens per second.
std::vector<uint64_t> samples_ns(const BenchFigure& x) {
  const double tokens = static_cast<double>((x.n_prompt + x.n_gen) * x.streams);
  std::vector<uint64_t> ns;
  for (double tps : x.tps->values) ns.push_back(static_cast<uint64_t>(std::llround(tokens / tps * 1e9)));
  return ns;
}

uint64_t mean_of(const std::vector<uint64_t>& v) {
  double sum = 0;
  for (uint64_t x : v) sum += static_cast<double>(x);
  return v.empty() ? 0 : static_cast<uint64_t>(sum / static_cast<double>(v.size()));
}

uint64_t stddev_of(const std::vector<uint64_t>& v) {
  if (v.size() < 2) return 0;
  double mean = static_cast<double>(mean_of(v)), sq = 0;
  for (uint64_t x : v) sq += (static_cast<double>(x) - mean) * (static_cast<double>(x) - mean);
  return static_cast<uint64_t>(std::sqrt(sq / static_cast<double>(v.size() - 1)));
}

}  // namespace

BenchModel bench_model(const driver::LoadedModel& m, const std::string& path, int64_t parameters) {
  BenchModel b;
  b.filename = path;
  b.size = m.weight_bytes;
  b.params = parameters;
  b.batch = m.info.step_tokens;
  b.type_k = kv_type(*m.graph, false);
  b.type_v = kv_type(*m.graph, true);
  b.type = m.info.name + " ?B unknown, may not work";
  // The GGUF the weights came from says what llama.cpp would call the model.
  if (auto f = llama_file_facts(m.info.weights)) {
    b.type = f->model_type;
    b.size = f->size;
    b.params = f->params;
  }
  return b;
}

const std::vector<std::string>& llama_bench_fields() {
  static const std::vector<std::string> fields = {"build_commit",   "build_number",
                                                  "cpu_info",       "gpu_info",
                                                  "backends",       "model_filename",
                                                  "model_type",     "model_size",
                                                  "model_n_params", "n_batch",
                                                  "n_ubatch",       "n_threads",
                                                  "cpu_mask",       "cpu_strict",
                                                  "poll",           "type_k",
                                                  "type_v",         "n_gpu_layers",
                                                  "n_cpu_moe",      "split_mode",
                                                  "main_gpu",       "no_kv_offload",
                                                  "flash_attn",     "devices",
                                                  "tensor_split",   "tensor_buft_overrides",
                                                  "load_mode",      "lazy_mode",
                                                  "embeddings",     "no_op_offload",
                                                  "no_host",        "repack",
                                                  "fit_target",     "fit_min_ctx",
                                                  "n_prompt",       "n_gen",
                                                  "n_depth",        "test_time",
                                                  "avg_ns",         "stddev_ns",
                                                  "avg_ts",         "stddev_ts"};
  return fields;
}

json llama_bench_record(const BenchModel& model, const BenchFigure& x, const std::string& started) {
  static const std::string cpu = cpu_brand();
  const std::vector<uint64_t> ns = samples_ns(x);
  json r = {{"build_commit", build_commit()},
            {"build_number", build_number()},
            {"cpu_info", cpu},
            {"gpu_info", ""},
            {"backends", "CPU"},
            {"model_filename", model.filename},
            {"model_type", model.type},
            {"model_size", model.size},
            {"model_n_params", model.params},
            {"n_batch", model.batch},
            {"n_ubatch", model.batch},
            {"n_threads", x.threads},
            {"cpu_mask", "0x0"},
            {"cpu_strict", false},
            {"poll", 0},
            {"type_k", model.type_k},
            {"type_v", model.type_v},
            {"n_gpu_layers", 0},
            {"n_cpu_moe", 0},
            {"split_mode", "none"},
            {"main_gpu", 0},
            {"no_kv_offload", false},
            {"flash_attn", 1},  // attention is one tiled kernel with an online softmax
            {"devices", "CPU"},
            {"tensor_split", "0.00"},
            {"tensor_buft_overrides", "none"},
            {"load_mode", "mmap"},
            {"lazy_mode", "off"},
            {"embeddings", false},
            {"no_op_offload", 0},
            {"no_host", false},
            {"repack", true},  // weights kept in the kernels' panel layout
            {"fit_target", 0},
            {"fit_min_ctx", 0},
            {"n_prompt", x.n_prompt},
            {"n_gen", x.n_gen},
            {"n_depth", x.n_depth},
            {"test_time", started},
            {"avg_ns", mean_of(ns)},
            {"stddev_ns", stddev_of(ns)},
            {"avg_ts", x.tps->mean()},
            {"stddev_ts", x.tps->stddev()},
            {"samples_ns", ns},
            {"samples_ts", x.tps->values}};
  return r;
}

std::string llama_bench_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "1" : "0";
  if (value.is_number_float()) return std::to_string(value.get<double>());
  return value.dump();
}

std::string bench_start_time() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace lmc::tools
