#include "driver/cache_key.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "driver/kernel_object_cache.h"
#include "driver/model_input.h"
#include "runtime/artifact/artifact_key.h"
#include "runtime/artifact/digest.h"
#include "runtime/file_digest.h"
#include "runtime/host_isa.h"
#include "support/error.h"
#include "support/tile_state.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

std::string content(const std::string& path) { return runtime::digest_hex(runtime::file_digest(path)); }

// A folder by the names and content of its files, in name order.
std::string weights_content(const std::string& path) {
  if (!fs::is_directory(path)) return content(path);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(path))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) out += fs::relative(f, path).string() + "=" + content(f.string()) + ";";
  return out;
}

std::string build_identity() {
  return std::string("lmc ") + LMC_VERSION + " exe " + content("/proc/self/exe") + " " + generator_identity();
}

std::string target_words(const codegen::TargetOptions& t) {
  std::string out = t.native ? "native" : "baseline";
  if (!t.mcpu.empty()) out += " mcpu=" + t.mcpu;
  if (!t.mattr.empty()) out += " mattr=" + t.mattr;
  return out;
}

// The tile unit as this compile may use it: what a native target keeps of the host's AMX
// (codegen/target.h), and what the user asked (--no-amx refuses the tiles on a host without
// them too, so its entry is its own everywhere).
std::string tile_words() {
  const TileState t = tile_state();
  return t.refused ? "refused" : t.granted ? "granted" : "absent";
}

std::string settings_words(const CompileRequest& r) {
  std::string out = "passes=" + r.pipeline;
  for (const auto& [k, v] : r.pass_options) out += " --" + k + "=" + v;
  if (r.lower.context > 0) out += " context=" + std::to_string(r.lower.context);
  if (!r.model_def.empty()) out += " model-def=" + r.model_def;
  return out + " target=" + target_words(r.target) + " tiles=" + tile_words();
}

}  // namespace

bool watches_compile(const CompileRequest& r) {
  const passes::Instrumentation& i = r.instrumentation;
  return i.print_before_all || i.print_after_all || !i.print_before.empty() || !i.print_after.empty() ||
         i.print_after_change || i.print_changed != passes::PrintChanged::Off || i.debug_pass_manager ||
         i.bisect_limit >= 0 || !i.dump_dir.empty() || i.time_passes || i.pass_stats || i.remarks ||
         !i.remarks_filter.empty() || !r.codegen.dump_llvm_ir_dir.empty() || !r.codegen.dump_asm_dir.empty() ||
         r.log != nullptr;
}

CacheKey cache_key(const CompileRequest& r) {
  DefinitionChoice d = choose_definition(r.model, r.model_def, r.lower);
  std::ostringstream text;
  text << build_identity() << "\n"
       << "weights " << weights_content(r.model) << "\n"
       << "definition " << content(d.definition) << "\n"
       << "name " << d.lower.name << "\n"
       << settings_words(r) << "\n";
  for (const auto& p : r.plugins) text << "plugin " << content(p) << "\n";
  for (const auto& p : r.pass_files) text << "pass-file " << content(p) << "\n";
  if (!r.cost_table.empty()) text << "cost-table " << content(r.cost_table) << "\n";
  if (r.target.native) text << "host " << runtime::host_cpu_identity() << "\n";
  text << "sealed-by " << runtime::digest_hex(runtime::digest64(runtime::user_key().secret)) << "\n";
  CacheKey key;
  key.hex = runtime::digest_hex(runtime::digest64(text.str()));
  key.model = fs::absolute(r.model).lexically_normal().string();
  key.settings = settings_words(r);
  return key;
}

}  // namespace lmc::driver
