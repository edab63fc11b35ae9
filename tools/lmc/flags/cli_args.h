// Command-line flags for the lmc subcommands, declared per command as a table of FlagSpecs
// and parsed by CLI11: `--name=value`, `--name value`, `-x value`, boolean `--name`,
// long and short aliases (llama.cpp's spellings, its `-np`-style names too), and positionals. Unknown flags (with the
// closest known one), llama.cpp's options a command does not take (llama_options.h) and missing values are usage
// errors (exit 2).
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/lmc/llama/llama_options.h"

namespace lmc::tools {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct FlagSpec {
  std::string name;     // without leading dashes
  bool takes_value;
  std::string help;
  std::string value_name = "VALUE";
  bool optional_value = false;  // `--name` alone, or `--name=VALUE`
  std::string short_name = {};  // one letter: `-x` spells it too
  std::vector<std::string> aliases = {};  // other long names, e.g. llama.cpp's
  // llama.cpp's single-dash names of several letters (`-np`, `-ngl`), which CLI11 would read
  // as a short flag and its value (`-n p`).
  std::vector<std::string> llama_names = {};
  // Non-empty: a llama.cpp flag that means nothing here (a GPU's), accepted so that its
  // command lines run, and this reason said once on stderr when given.
  std::string inert = {};
};

class Args {
 public:
  // `tool`: the llama.cpp tool whose spellings the command reads (llama_options.h).
  Args(std::vector<FlagSpec> specs, int argc, char** argv, int first,
       LlamaTool tool = kNoLlamaTool);  // throws UsageError

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& dflt) const;
  const std::vector<std::string>& all(const std::string& name) const;  // repeated flags
  int64_t get_int(const std::string& name, int64_t dflt, int64_t min, int64_t max) const;
  double get_double(const std::string& name, double dflt, double min, double max) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // The command line as it was given: "lmc", the command and every argument after it.
  const std::vector<std::string>& words() const { return words_; }

  static std::string help_text(const std::vector<FlagSpec>& specs);

 private:
  // A value given to a noted llama.cpp flag with choices (--color) is one of them.
  void check_choice(const FlagSpec& f) const;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  std::vector<std::string> words_;
};

// A command's flags (`lmc CMD ...`: parsed from argv[2] on). With --help, `usage` and the
// flags' help go to stdout, with --version (a command that takes it) lmc's version, and
// nothing is returned: the command then exits 0.
std::optional<Args> command_args(const std::vector<FlagSpec>& specs, int argc, char** argv, const std::string& usage,
                                 LlamaTool tool = kNoLlamaTool);

}  // namespace lmc::tools
