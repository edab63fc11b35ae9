#include "runtime/artifact/artifact_seal.h"

#include <algorithm>

#include "runtime/artifact/artifact_format.h"

namespace lmc::runtime {

namespace fmt = artifact_format;

Mac256 compute_seal(const ArtifactKey& key, const std::vector<std::string_view>& sections, std::string_view table,
                    std::string_view header) {
  HmacSha256 mac(key.secret);
  for (std::string_view s : sections) mac.update(s);
  mac.update(table);
  mac.update(header.substr(fmt::kMagic.size(), fmt::kSealOffset - fmt::kMagic.size()));
  return mac.finish();
}

bool sealed_with(const Artifact& a, const ArtifactKey& key) {
  std::vector<std::string_view> sections;
  for (const ArtifactSection& s : a.sections())
    if (s.name != "weights") sections.push_back(a.section(s.name));
  std::string_view header = a.header_bytes();
  Mac256 recorded{};
  std::copy_n(header.data() + fmt::kSealOffset, recorded.size(), recorded.begin());
  return macs_equal(compute_seal(key, sections, a.table_bytes(), header), recorded);
}

}  // namespace lmc::runtime
