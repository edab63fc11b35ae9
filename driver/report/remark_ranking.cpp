#include "driver/report/remark_ranking.h"

#include <algorithm>
#include <map>

namespace lmc::report {

std::vector<RankedRemark> rank_remarks(const std::vector<passes::Remark>& remarks,
                                       const std::vector<KernelRow>& kernels, const std::vector<ProfileRow>& profile) {
  std::map<std::string, std::string> kernel_of;  // value -> the first kernel naming it
  for (const auto& k : kernels)
    for (const auto& v : k.values) kernel_of.emplace(v, k.symbol);
  std::map<std::string, double> share_of;
  for (const auto& p : profile) share_of[p.symbol] += p.share;
  std::vector<RankedRemark> out;
  for (const auto& r : remarks) {
    RankedRemark ranked{r.pass, r.where.starts_with('@') ? r.where : "%" + r.where, r.message, "", -1, r.kind};
    if (auto k = kernel_of.find(r.where); k != kernel_of.end()) {
      ranked.kernel = k->second;
      if (auto s = share_of.find(k->second); s != share_of.end()) ranked.share = s->second;
    }
    out.push_back(std::move(ranked));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RankedRemark& a, const RankedRemark& b) { return a.share > b.share; });
  return out;
}

}  // namespace lmc::report
