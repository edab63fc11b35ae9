#include "tools/lmc/serve/model_catalog.h"

#include <algorithm>
#include <filesystem>

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

// A projector or a draft model beside a model: read with it, never served alone.
bool is_companion(const std::string& file) { return file.rfind("mmproj", 0) == 0 || file.rfind("draft", 0) == 0; }

// The model file of a subfolder: its first shard when it is split, else its one model
// ("" when it holds none).
std::string model_in_subfolder(const fs::path& dir) {
  std::vector<std::string> models;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    if (!f.is_regular_file(ec) || !is_gguf(f.path()) || is_companion(name)) continue;
    if (name.find("-00001-of-") != std::string::npos) return f.path().string();
    models.push_back(f.path().string());
  }
  std::sort(models.begin(), models.end());
  return models.empty() ? "" : models.front();
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
      if (std::string model = model_in_subfolder(p); !model.empty()) out.push_back(found(file, model));
    } else if (is_gguf(p) && !is_companion(file)) {
      out.push_back(found(p.stem().string(), p.string()));
    }
  }
  if (ec) throw UsageError("--models-dir: cannot read '" + dir + "': " + ec.message());
  std::sort(out.begin(), out.end(), [](const RouterModel& a, const RouterModel& b) { return a.name < b.name; });
  return out;
}

}  // namespace lmc::tools
