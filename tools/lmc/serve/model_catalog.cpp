#include "tools/lmc/serve/model_catalog.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

namespace {

namespace fs = std::filesystem;

RouterModel found(std::string name, std::string path) {
  RouterModel m;
  m.name = std::move(name);
  m.path = std::move(path);
  return m;
}

bool is_gguf(const fs::path& p) { return p.extension() == ".gguf"; }

// A vision projector, by llama-server's rule: "mmproj" anywhere in the file's name.
bool is_projector(const std::string& file) { return file.find("mmproj") != std::string::npos; }

// A projector or a draft model beside a model: read with it, never served alone.
bool is_companion(const std::string& file) { return is_projector(file) || file.rfind("draft", 0) == 0; }

// The model of a subfolder: its first shard when it is split, else its one model (no model
// when it holds none), and the projector beside it, which its server reads.
std::optional<RouterModel> model_in_subfolder(const fs::path& dir) {
  std::string first_shard;
  std::vector<std::string> models, projectors;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    if (!f.is_regular_file(ec) || !is_gguf(f.path())) continue;
    if (is_projector(name))
      projectors.push_back(f.path().string());
    else if (name.find("-00001-of-") != std::string::npos)
      first_shard = f.path().string();
    else if (!is_companion(name))
      models.push_back(f.path().string());
  }
  if (first_shard.empty() && models.empty()) return std::nullopt;
  std::sort(models.begin(), models.end());
  std::sort(projectors.begin(), projectors.end());
  RouterModel m = found(dir.filename().string(), first_shard.empty() ? models.front() : first_shard);
  if (!projectors.empty()) m.projector = projectors.front();
  return m;
}

}  // namespace

std::vector<RouterModel> models_in_folder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError("--models-dir: '" + dir + "' is not a folder");
  std::vector<RouterModel> out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    const std::string file = p.filename().string();
    if (entry.is_directory(ec)) {
      if (auto model = model_in_subfolder(p)) out.push_back(std::move(*model));
    } else if (is_gguf(p) && !is_companion(file)) {
      out.push_back(found(p.stem().string(), p.string()));
    }
  }
  if (ec) throw UsageError("--models-dir: cannot read '" + dir + "': " + ec.message());
  std::sort(out.begin(), out.end(), [](const RouterModel& a, const RouterModel& b) { return a.name < b.name; });
  return out;
}

}  // namespace lmc::tools
