// Pipeline text, as --passes, the artifact manifest and `lmc inspect` speak it:
//
//   pipeline := [place] element (',' [place] element)*
//   element  := PASS ['{' OPTION '=' VALUE (',' OPTION '=' VALUE)* '}']   a pass, with options
//             | 'default' | 'none'                                          named pipelines
//             | 'repeat<' N '>(' pipeline ')'                              a nested pipeline, N times
//   place    := ('after' | 'before') '(' PASS ')' ':'   where the element goes: next to the
//               last PASS so far (not at the end), e.g. into the default pipeline
//
// e.g. `default,fuse-qkv,quant-threshold{min-dim=512,mode=rule},repeat<2>(fuse-elementwise,dce)`,
// `default,after(fuse-qkv):my-fusion` (the default pipeline with my-fusion after its fuse-qkv).
// Spaces around names and separators are ignored. Every pass name, option name and option
// value is checked against the registry when parsed, so a typo anywhere is an error that
// says where it is and what was probably meant.
#pragma once
#include <string>
#include <vector>

#include "passes/api/pass_option.h"

namespace lmc::passes {

struct PipelineEntry {
  std::string pass;
  OptionValues options;  // as written
  bool operator==(const PipelineEntry&) const = default;
};
using Pipeline = std::vector<PipelineEntry>;

// Throws lmc::Error "<where>: column 10: unknown pass 'fuse-qvk' (did you mean 'fuse-qkv'?)".
Pipeline parse_pipeline(const std::string& text, const std::string& where = "--passes");

// A pipeline an artifact's manifest records: a pass this process does not know (a plugin's,
// not loaded now) is kept as written, options unchecked; what it does know is checked as
// parse_pipeline checks it. Running an artifact needs none of its passes' code.
Pipeline parse_recorded_pipeline(const std::string& text, const std::string& where);

// The canonical text: named pipelines and repeats expanded, options in name order;
// "none" for an empty pipeline. parse_pipeline(print_pipeline(p)) == p.
std::string print_pipeline(const Pipeline& p);

}  // namespace lmc::passes
