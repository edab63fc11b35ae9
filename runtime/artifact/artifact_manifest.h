// The manifest section's text: one "key=value" line per fact, values escaped
// (\\, \n, \r) so a chat template's newlines survive. Keys:
//   lmc.version  model  pipeline  plugin.count  plugin.<n> = "<digest> <path>" (only when
//   the pipeline loaded pass plugins)  target.cpu  target.features  target.isa (since 0.2: the
//   ISA features the kernels may use; without it a run asks LLVM which ones the target implies)
//   info.{name,weights,context,step_tokens,d_model,n_layers}
//   info.chat.{family,system_merge,default_system,trim}  info.chat.turn.<role>
//   info.chat.template (only when the weights carry a Jinja chat template: its text)
//   info.hyper.count  info.hyper.<n> = "<name>=<value>"
//   kernel.count  kernel.<n> = "<symbol> <uses_sym> <T|L> <per_sym> <fixed> <grain> <key>"
//   kernel.<n>.rows_from (only when set: codegen::KernelInfo::rows_from)
//   kernel.<n>.cols_from (only when set: codegen::KernelInfo::cols_from)
//   digest.<section> = 16 hex digits (runtime/artifact/digest.h), for every section but the manifest
//   extra.<key>
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "runtime/artifact/artifact.h"

namespace lmc::runtime {

std::string encode_manifest(const ArtifactManifest& m, const std::map<std::string, uint64_t>& section_digests);

// `where` names the place for errors ("file.lmc:manifest").
std::map<std::string, std::string> parse_manifest(std::string_view text, const std::string& where);
ArtifactManifest decode_manifest(const std::map<std::string, std::string>& kv, const std::string& where);

}  // namespace lmc::runtime
