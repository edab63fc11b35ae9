#include "passes/pass_file_loader.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "passes/pass_registry.h"
#include "passes/text/text_fusion_pass.h"
#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::passes {

void load_pass_file(const std::string& path) {
  // The same file named twice (the command line, then the compile request) registers once.
  static std::set<std::string> loaded;
  std::string key = std::filesystem::absolute(path).lexically_normal().string();
  if (loaded.count(key)) return;
  auto file = std::make_shared<const text::PassFile>(text::parse_pass_file(read_regular_file(path), path));
  const std::string where = path + ":" + std::to_string(file->name_line) + ":" + std::to_string(file->name_col);
  if (std::string first = PassRegistry::instance().origin(file->name); !first.empty())
    throw error_at(where, "pass '" + file->name + "' is already registered (the first: " + first + ")");
  PassOrigin origin(where);
  PassRegistry::instance().add(file->name, text::text_pass_factory(file));
  loaded.insert(key);
}

std::vector<std::string> pass_files_in(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> out;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".pass") out.push_back(it->path().string());
  if (ec) throw error_at(dir, "cannot read the pass folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lmc::passes
