#include "tools/lmc/reports/bench_report.h"

#include <cstdio>
#include <iostream>

#include "support/tile_state.h"
#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/llama/build_commit.h"
#include "tools/lmc/reports/prefill_choices.h"

namespace lmc::tools {

namespace {

using json = nlohmann::ordered_json;
using Record = BenchFigure;

// llama-bench's name of a test after `depth` tokens in the cache: "tg32", "pp512 @ d4096".
std::string at_depth(const std::string& test, int64_t depth) {
  return depth > 0 ? test + " @ d" + std::to_string(depth) : test;
}

std::vector<Record> records(const BenchReport& r) {
  std::vector<Record> out;
  const std::string tg = speed_test_name(0, r.decode_tokens);
  for (const auto& s : r.speed) {
    // llama-bench's order at each thread count and depth: the prompts, the decode, then pg's.
    const int64_t d = s.depth;
    for (const auto& [n, tps] : s.prefill_tps)
      out.push_back({s.threads, 1, at_depth(speed_test_name(n, 0), d), n, 0, d, &tps});
    if (s.decode_tps) out.push_back({s.threads, 1, at_depth(tg, d), 0, r.decode_tokens, d, &*s.decode_tps});
    for (size_t i = 0; i < s.pg_tps.size(); ++i) {
      auto [pp, tg] = r.pg[i];
      out.push_back({s.threads, 1, at_depth(speed_test_name(pp, tg), d), pp, tg, d, &s.pg_tps[i]});
    }
  }
  for (const auto& p : r.parallel) out.push_back({p.threads, p.streams, tg, 0, r.decode_tokens, 0, &p.decode_tps});
  for (const auto& s : r.spec) {
    out.push_back({s.threads, 1, tg + " set", 0, r.decode_tokens, 0, &s.plain_tps});
    out.push_back({s.threads, 1, tg + " set draft" + std::to_string(s.draft), 0, r.decode_tokens, 0, &s.spec_tps});
  }
  return out;
}

// llama-bench's record, then lmc's own fields: the test's name, the streams decoding at
// once, the runs' median.
json record_json(const BenchReport& r, const BenchModel& model, const Record& x) {
  json j = llama_bench_record(model, x, r.started);
  j["test"] = x.test;
  j["n_parallel"] = x.streams;
  j["median_ts"] = x.tps->median();
  return j;
}

std::string test_name(const Record& x) { return x.streams > 1 ? x.test + " x" + std::to_string(x.streams) : x.test; }

// Sizes as llama-bench prints them: "643.75 MiB", "4.07 GiB"; "1.24 B" parameters.
std::string model_size(uint64_t bytes) {
  char buf[32];
  const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
  if (mib < 1024.0)
    std::snprintf(buf, sizeof buf, "%.2f MiB", mib);
  else
    std::snprintf(buf, sizeof buf, "%.2f GiB", mib / 1024.0);
  return buf;
}

std::string parameters(int64_t n) {
  char buf[32];
  auto x = static_cast<double>(n);
  if (x >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f B", x / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.2f M", x / 1e6);
  return buf;
}

// llama-bench's table (its columns and widths on a CPU), then the median lmc quotes.
void print_md_header() {
  std::printf("| %-30s | %10s | %10s | %-10s | %7s | %15s | %20s | %12s |\n", "model", "size", "params", "backend",
              "threads", "test", "t/s", "t/s (median)");
  std::printf("| %s | %s: | %s: | %s | %s: | %s: | %s: | %s: |\n", std::string(30, '-').c_str(),
              std::string(9, '-').c_str(), std::string(9, '-').c_str(), std::string(10, '-').c_str(),
              std::string(6, '-').c_str(), std::string(14, '-').c_str(), std::string(19, '-').c_str(),
              std::string(11, '-').c_str());
}

void print_md(const BenchReport& r, const BenchModel& model) {
  const std::string size = model_size(model.size), params = parameters(model.params);
  for (const Record& x : records(r)) {
    char ts[64];
    std::snprintf(ts, sizeof ts, "%.2f ± %.2f", x.tps->mean(), x.tps->stddev());
    // "±" is two bytes: one more column of padding keeps the table aligned, as llama-bench's.
    std::printf("| %-30s | %10s | %10s | %-10s | %7d | %15s | %21s | %12.2f |\n", model.type.c_str(), size.c_str(),
                params.c_str(), "CPU", x.threads, test_name(x).c_str(), ts, x.tps->median());
  }
}

// A CSV field: quoted, with quotes doubled (a model name is the user's text).
std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// llama-bench's CSV: its header, every value quoted.
void print_csv_header() {
  std::string header;
  for (const auto& f : llama_bench_fields()) header += (header.empty() ? "" : ",") + f;
  std::printf("%s\n", header.c_str());
}

void print_csv(const BenchReport& r, const BenchModel& model) {
  const auto& fields = llama_bench_fields();
  for (const Record& x : records(r)) {
    json j = llama_bench_record(model, x, r.started);
    std::string line;
    for (const auto& f : fields) line += (line.empty() ? "" : ",") + csv_field(llama_bench_text(j[f]));
    std::printf("%s\n", line.c_str());
  }
}

// llama-bench's SQL: a table of its fields (INTEGER, REAL or TEXT as the record's values
// are), then one INSERT per record, every value quoted.
void print_sql_header(const json& record) {
  const auto& fields = llama_bench_fields();
  std::printf("CREATE TABLE IF NOT EXISTS llama_bench (\n");
  for (size_t i = 0; i < fields.size(); ++i) {
    const json& v = record.at(fields[i]);
    const char* type = v.is_number_float() ? "REAL" : v.is_number() || v.is_boolean() ? "INTEGER" : "TEXT";
    std::printf("  %s %s%s\n", fields[i].c_str(), type, i + 1 < fields.size() ? "," : "");
  }
  std::printf(");\n\n");
}

std::string sql_value(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void print_sql(const BenchReport& r, const BenchModel& model) {
  const auto& fields = llama_bench_fields();
  std::string names;
  for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f;
  for (const Record& x : records(r)) {
    json j = llama_bench_record(model, x, r.started);
    std::string values;
    for (const auto& f : fields) values += (values.empty() ? "" : ", ") + sql_value(llama_bench_text(j[f]));
    std::printf("INSERT INTO llama_bench (%s) VALUES (%s);\n", names.c_str(), values.c_str());
  }
}

std::string dump(const json& j, int indent = -1) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

// lmc's own JSON: the records beside what llama-bench has no field for — the bytes a decode
// token reads, the read bandwidth probed at each thread count and the roofline's share.
json lmc_json(const BenchReport& r, const BenchModel& model) {
  json results = json::array();
  for (const Record& x : records(r)) results.push_back(record_json(r, model, x));
  json machine = json::array();
  for (const auto& s : r.speed) {
    json m = {{"n_threads", s.threads}, {"n_depth", s.depth}, {"read_bandwidth_bytes_per_s", s.bandwidth}};
    if (s.decode_tps)
      m.update({{"decode_roofline_fraction", s.decode_tps->median() * r.decode_bytes_per_token / s.bandwidth},
                {"decode_step_ms_median", s.decode_step_ms_median},
                {"decode_step_ms_max", s.decode_step_ms_max}});
    if (!s.prefill_tps.empty()) m["time_to_first_token_ms"] = s.ttft_ms;
    machine.push_back(m);
  }
  json top = {{"model", r.model.info.name},
              {"weight_bytes", r.model.weight_bytes},
              {"decode_bytes_per_token", r.decode_bytes_per_token},
              {"peak_rss_bytes", r.peak_rss_kb * 1024},
              {"results", results}};
  if (!machine.empty()) top["per_thread_count"] = machine;
  return top;
}

std::string figure(const driver::Samples& s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f ± %.1f", s.median(), s.stddev());
  return buf;
}

// One row per thread count and depth; a test left out (-n 0, -p 0) is a "-".
void print_table(const BenchReport& r) {
  const auto& m = r.model;
  std::printf("model %s: %.1f MB of weights, %.1f MB read per decode token\n", m.info.name.c_str(),
              static_cast<double>(m.weight_bytes) / 1e6, r.decode_bytes_per_token / 1e6);
  // Whether prefill's kernels could take the tiles, as this process may use them
  // (support/tile_state.h); which ones each shape took follows the table.
  const TileState tiles = tile_state();
  const char* on = tiles.bf16 ? "on (bf16 tile GEMM forced for prompts of 64 tokens or more; VNNI below)"
                              : "on (each prefill shape's kernel as tune-prefill chose it, below)";
  std::printf("AMX tiles: %s\n", tiles.granted ? on : ("off (" + tiles.why_off + ")").c_str());
  std::printf("%-8s %8s %10s %18s %10s %9s %9s", "threads", "depth", "read GB/s", "decode tok/s", "roofline",
              "step p50", "step max");
  for (const auto& [n, tps] : r.speed.front().prefill_tps)
    std::printf(" %18s", (speed_test_name(n, 0) + " tok/s").c_str());
  for (const auto& pg : r.pg) std::printf(" %18s", (speed_test_name(pg.first, pg.second) + " tok/s").c_str());
  std::printf(" %9s\n", "TTFT ms");
  for (const auto& s : r.speed) {
    std::printf("%-8d %8lld %10.1f", s.threads, static_cast<long long>(s.depth), s.bandwidth / 1e9);
    if (s.decode_tps)
      std::printf(" %19s %9.0f%% %7.2fms %7.2fms", figure(*s.decode_tps).c_str(),
                  100 * s.decode_tps->median() * r.decode_bytes_per_token / s.bandwidth, s.decode_step_ms_median,
                  s.decode_step_ms_max);
    else
      std::printf(" %18s %10s %9s %9s", "-", "-", "-", "-");
    for (const auto& [n, tps] : s.prefill_tps) std::printf(" %19s", figure(tps).c_str());
    for (const auto& tps : s.pg_tps) std::printf(" %19s", figure(tps).c_str());
    if (s.prefill_tps.empty())
      std::printf(" %9s\n", "-");
    else
      std::printf(" %9.1f\n", s.ttft_ms);
  }
  std::printf(
      "(tok/s: median ± standard deviation of the runs; depth: tokens in the KV cache before each test)\n"
      "peak RSS %.1f MB\n",
      r.peak_rss_kb / 1e3);
  print_prefill_choices(m.remarks, stdout);
}

// Aggregate decode speed per stream count, and its ratio to one stream's at the same
// thread count.
void print_parallel_table(const BenchReport& r) {
  auto single = [&](int threads) {
    for (const auto& p : r.parallel)
      if (p.threads == threads && p.streams == 1) return p.decode_tps.median();
    return 0.0;
  };
  std::printf("model %s: batched decode\n", r.model.info.name.c_str());
  std::printf("%-8s %8s %18s %16s %10s %10s\n", "threads", "streams", "decode tok/s", "per stream tok/s", "step p50",
              "vs 1");
  for (const auto& p : r.parallel) {
    double one = single(p.threads), all = p.decode_tps.median();
    char ratio[32] = "-";
    if (one > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", all / one);
    std::printf("%-8d %8lld %11.1f ± %4.1f %16.1f %8.2fms %10s\n", p.threads, static_cast<long long>(p.streams), all,
                p.decode_tps.stddev(), all / static_cast<double>(p.streams), p.step_ms_median, ratio);
  }
}

void print_spec_table(const BenchReport& r) {
  const auto& first = r.spec.front();
  std::printf(
      "model %s: speculative decoding (prompt lookup, up to %lld drafted tokens a step) on a fixed set of "
      "repetitive prompts, %lld tokens each\n",
      r.model.info.name.c_str(), static_cast<long long>(first.draft), static_cast<long long>(r.decode_tokens));
  std::printf("%-8s %16s %16s %8s %14s %10s\n", "threads", "plain tok/s", "speculative", "speedup", "kept/drafted",
              "same text");
  for (const auto& s : r.spec) {
    char a[48], b[48], kept[48];
    std::snprintf(a, sizeof a, "%.1f ± %.1f", s.plain_tps.median(), s.plain_tps.stddev());
    std::snprintf(b, sizeof b, "%.1f ± %.1f", s.spec_tps.median(), s.spec_tps.stddev());
    std::snprintf(kept, sizeof kept, "%lld/%lld", static_cast<long long>(s.accepted),
                  static_cast<long long>(s.drafted));
    std::printf("%-8d %17s %17s %7.2fx %14s %10s\n", s.threads, a, b, s.spec_tps.median() / s.plain_tps.median(), kept,
                s.same_text ? "yes" : "NO");
  }
}

}  // namespace

std::string speed_test_name(int64_t prompt, int64_t gen) {
  const std::string pp = "pp" + std::to_string(prompt), tg = "tg" + std::to_string(gen);
  return prompt == 0 ? tg : gen == 0 ? pp : pp + "+" + tg;
}

BenchPrinter::BenchPrinter(std::string format) : format_(std::move(format)) {
  for (const char* f : {"table", "md", "csv", "json", "jsonl", "sql", "lmc-json"})
    if (format_ == f) return;
  throw UsageError("-o must be md, csv, json, jsonl, sql, table or lmc-json, not '" + format_ + "'");
}

void BenchPrinter::print(const BenchReport& r) {
  const bool first = printed_++ == 0;
  if (format_ == "table") {
    if (!first) std::printf("\n");
    if (!r.spec.empty())
      print_spec_table(r);
    else if (!r.parallel.empty())
      print_parallel_table(r);
    else
      print_table(r);
    return;
  }
  const BenchModel model = bench_model(r.model, r.path, r.parameters);
  if (format_ == "md") {
    if (first) print_md_header();
    print_md(r, model);
  } else if (format_ == "csv") {
    if (first) print_csv_header();
    print_csv(r, model);
  } else if (format_ == "sql") {
    const std::vector<Record> all = records(r);
    if (first && !all.empty()) print_sql_header(llama_bench_record(model, all.front(), r.started));
    print_sql(r, model);
  } else if (format_ == "jsonl") {
    for (const Record& x : records(r)) std::cout << dump(record_json(r, model, x)) << "\n";
  } else if (format_ == "json") {
    for (const Record& x : records(r)) held_.push_back(record_json(r, model, x));
  } else {
    held_.push_back(lmc_json(r, model));
  }
}

void BenchPrinter::finish() {
  // llama-bench's footer under its table: the build that measured.
  if (format_ == "md") std::printf("\nbuild: %s (%d)\n", build_commit(), build_number());
  // llama-bench's JSON is one array of every model's records; lmc-json one object per model.
  if (format_ == "json") std::cout << dump(held_, 2) << "\n";
  if (format_ == "lmc-json") std::cout << dump(held_.size() == 1 ? held_.front() : held_, 2) << "\n";
}

}  // namespace lmc::tools
