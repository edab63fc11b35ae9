// lmc verify: every check `lmc run` makes of an artifact, and the ones it may skip, in
// one go: structure and section digests, the weights' digests, the seal, the IR against
// the weight index, the manifest's kernel table against the IR, and the pass plugins it
// records against the libraries at their paths.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>

#include "driver/artifact_graph.h"
#include "runtime/artifact/digest.h"
#include "runtime/file_digest.h"
#include "runtime/host_isa.h"
#include "runtime/kernel_table.h"
#include "support/error.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/artifact_flags.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  return {{"trust-artifact-key", true, "also accept the seal of the key in FILE (repeatable)", "FILE"},
          {"help", false, "show this help", "", false, "h"}};
}

struct Check {
  std::string name;
  std::function<std::string()> run;  // what it found; throws lmc::Error on a failure
};

std::vector<Check> checks(const runtime::Artifact& art, const driver::ArtifactTrust& trust,
                          std::unique_ptr<ir::Graph>& graph) {
  return {
      {"weights",
       [&] {
         art.verify_weights();
         return std::to_string(art.weight_index().size()) + " tensors, every digest matches";
       }},
      {"seal",
       [&] {
         auto key = driver::trusted_seal(art, trust);
         if (!key) throw Error("not sealed with your artifact key or a trusted one");
         return "sealed with " + *key;
       }},
      {"ir",
       [&] {
         graph = driver::read_artifact_graph(art);
         return std::to_string(graph->ops().size()) + " ops; every param matches the weight index";
       }},
      {"kernel table",
       [&] {
         if (!graph) throw Error("not checked: the IR did not read");
         const auto& man = art.parsed_manifest();
         auto derived = runtime::graph_kernel_entries(*graph, art.path() + ":ir");
         runtime::check_kernel_entries(derived, man.kernels, art.path() + ":manifest");
         return std::to_string(derived.size()) + " kernels, as the IR gives them";
       }},
  };
}

// The pass plugins the artifact's pipeline loaded, where they were: each one still there
// must be the library that made the graph. One moved away is only noted: running the
// artifact needs none of its passes.
std::string check_plugins(const runtime::Artifact& art) {
  std::string found, changed;
  for (const auto& p : art.parsed_manifest().plugins) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p.path, ec)) {
      found += "; " + p.path + " is no longer there";
      continue;
    }
    std::string now = runtime::digest_hex(runtime::file_digest(p.path));
    if (now != p.digest)
      changed += (changed.empty() ? "" : "; ") + p.path + " changed since it compiled this artifact (digest " + now +
                 ", recorded " + p.digest + ")";
  }
  if (!changed.empty()) throw Error(changed);
  return std::to_string(art.parsed_manifest().plugins.size()) + " recorded" + found;
}

}  // namespace

int cmd_verify(int argc, char** argv) {
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc verify FILE.lmc [options]\n\n"
                   "Checks an artifact: its structure and section digests, every weight's digest, its seal\n"
                   "(made with your artifact key, or a --trust-artifact-key one), its IR against its weight\n"
                   "index, its kernel table against its IR, and the pass plugins it records against the\n"
                   "libraries at their paths. Exits 1 naming what failed (docs/security.md).\n\n"
                   "options:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (a.positional().size() != 1) throw UsageError("lmc verify expects one artifact");
  driver::ArtifactTrust trust = artifact_trust(a);
  auto art = runtime::Artifact::open(a.positional()[0]);
  std::unique_ptr<ir::Graph> graph;
  std::string report = art->path() + ":\n  ok      structure, manifest and section digests\n", failed;
  std::vector<Check> all = checks(*art, trust, graph);
  if (!art->parsed_manifest().plugins.empty()) all.push_back({"pass plugins", [&] { return check_plugins(*art); }});
  for (const Check& c : all) {
    try {
      report += "  ok      " + c.name + ": " + c.run() + "\n";
    } catch (const Error& e) {
      failed += (failed.empty() ? "" : "; ") + c.name + " (" + e.what() + ")";
    }
  }
  if (!failed.empty()) throw error_at(art->path(), "verification failed: " + failed);
  std::cout << report;
  const auto& man = art->parsed_manifest();
  if (man.lmc_version != LMC_VERSION || !runtime::missing_target_features(man.target, man.isa).empty())
    std::cout << "  note    built by lmc " << man.lmc_version << " for " << man.target.str()
              << ": lmc run compiles its kernels again here\n";
  return 0;
}

}  // namespace lmc::tools
