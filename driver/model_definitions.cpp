#include "driver/model_definitions.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "models/model_def.h"
#include "support/error.h"
#include "support/untrusted_text.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> definition_files(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") out.push_back(e.path().string());
  if (ec) throw error_at(dir, "cannot list the model definitions: " + ec.message() + " (set LMC_MODELS_DIR)");
  std::sort(out.begin(), out.end());
  return out;
}

std::string joined(const std::map<std::string, std::string>& served) {
  std::string out;
  for (const auto& [arch, file] : served) out += (out.empty() ? "" : ", ") + arch;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string models_dir() {
  if (const char* env = std::getenv("LMC_MODELS_DIR"); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = (exe.parent_path() / ".." / "share" / "lmc" / "models").lexically_normal();
    if (fs::is_directory(installed)) return installed.string();
  }
  return LMC_SOURCE_MODELS_DIR;
}

std::string definition_serving(const models::WeightsArchitecture& arch, const std::string& weights,
                               const std::string& dir) {
  std::map<std::string, std::string> served;  // architecture -> definition, for this format
  for (const auto& file : definition_files(dir)) {
    const auto serves = models::read_model_def(file).serves;
    auto it = serves.find(arch.format);
    if (it == serves.end()) continue;
    for (const auto& name : it->second) {
      auto [first, fresh] = served.emplace(name, file);
      if (!fresh)
        throw error_at(file, "serves " + arch.format + " architecture '" + excerpt(name) + "', as " + first->second +
                                 " does already");
    }
  }
  // A definition may serve an architecture's files with experts apart, as "<name>+experts".
  if (auto with = served.find(arch.name + "+experts"); arch.experts && with != served.end()) return with->second;
  auto it = served.find(arch.name);
  if (it != served.end()) return it->second;
  throw error_at(weights, "no model definition serves " + arch.format + " architecture '" + excerpt(arch.name) + "' (" +
                              arch.key + "); known: " + joined(served) + " in " + dir +
                              "; add a definition with serves: {" + arch.format + ": " + excerpt(arch.name) +
                              "} (docs/model-definitions.md, \"Adding an architecture\") or pass --model-def "
                              "FILE.yaml");
}

}  // namespace lmc::driver
