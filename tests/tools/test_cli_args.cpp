// The FlagSpec table as CLI11 parses it: long, short and alias spellings, `=` and separate
// values, optional values, repeated flags, positionals, negative numbers as values, and the
// usage errors a user meets (unknown flag with a suggestion, missing value, bad number).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {
namespace {

const std::vector<FlagSpec> kSpecs = {
    {"prompt", true, "the prompt", "TEXT", false, "p"},
    {"max-tokens", true, "tokens", "N", false, "n", {"n-predict"}},
    {"temperature", true, "t", "T", false, "", {"temp"}},
    {"stop", true, "stop", "STRING"},
    {"profile", false, "profile"},
    {"print-changed", true, "mode", "MODE", true},
    {"color", true, "color", "on|off|auto", true, "", {}, {}, "llama.cpp's, noted"},
    {"o", true, "output", "FILE"},
};

Args parse(std::vector<std::string> words) {
  std::vector<char*> argv{const_cast<char*>("lmc"), const_cast<char*>("run")};
  for (auto& w : words) argv.push_back(w.data());
  return Args(kSpecs, static_cast<int>(argv.size()), argv.data(), 2);
}

std::string usage_error(std::vector<std::string> words) {
  try {
    parse(std::move(words));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CliArgs, LongShortAndAliasSpellingsMeanOneFlag) {
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"--max-tokens", "8"}, {"--max-tokens=8"}, {"-n", "8"}, {"--n-predict", "8"}}) {
    Args a = parse(words);
    EXPECT_EQ(a.get_int("max-tokens", 0, -1, 100), 8) << words[0];
  }
  EXPECT_EQ(parse({"--temp", "0.5"}).get_double("temperature", 0, 0, 2), 0.5);
  EXPECT_EQ(parse({"-p", "hi there"}).get("prompt"), "hi there");
  EXPECT_EQ(parse({"-o", "x.lmc"}).get("o"), "x.lmc");
}

TEST(CliArgs, NegativeNumbersAreValues) { EXPECT_EQ(parse({"-n", "-1"}).get_int("max-tokens", 0, -1, 100), -1); }

TEST(CliArgs, PositionalsRepeatedFlagsAndBooleans) {
  Args a = parse({"model.gguf", "--stop", "A", "--profile", "--stop=B", "-"});
  EXPECT_EQ(a.positional(), (std::vector<std::string>{"model.gguf", "-"}));
  EXPECT_EQ(a.all("stop"), (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(a.has("profile"));
  EXPECT_FALSE(a.has("prompt"));
}

TEST(CliArgs, AnOptionalValueIsNeverTheNextArgument) {
  Args bare = parse({"--print-changed", "g.lir"});
  EXPECT_TRUE(bare.has("print-changed"));
  EXPECT_EQ(bare.get("print-changed"), "");
  EXPECT_EQ(bare.positional(), (std::vector<std::string>{"g.lir"}));
  EXPECT_EQ(parse({"--print-changed=diff"}).get("print-changed"), "diff");
}

TEST(CliArgs, AnOptionalValueWithChoicesTakesTheNextArgumentUnlessAFlag) {
  Args a = parse({"--color", "on", "model.gguf"});
  EXPECT_EQ(a.get_or("color", "?"), "on");
  EXPECT_EQ(a.positional(), std::vector<std::string>{"model.gguf"});
  Args bare = parse({"--color", "--profile", "model.gguf"});
  EXPECT_EQ(bare.get_or("color", "?"), "");
  EXPECT_TRUE(bare.has("profile"));
  EXPECT_EQ(bare.positional(), std::vector<std::string>{"model.gguf"});
  EXPECT_EQ(usage_error({"--color", "model.gguf"}), "option '--color' expects on|off|auto, got 'model.gguf'");
  EXPECT_EQ(usage_error({"--color=blue"}), "option '--color' expects on|off|auto, got 'blue'");
}

TEST(CliArgs, AnEmptyValueAfterTheSignIsEmpty) {
  Args a = parse({"--stop=", "m.gguf", "-n", "3"});
  EXPECT_EQ(a.get("stop"), "");
  EXPECT_EQ(a.positional(), (std::vector<std::string>{"m.gguf"}));
  EXPECT_EQ(a.get_int("max-tokens", 0, -1, 100), 3);
}

TEST(CliArgs, UsageErrorsSayWhatIsWrong) {
  EXPECT_EQ(usage_error({"--temprature", "1"}), "unknown option '--temprature' (did you mean '--temperature'?)");
  EXPECT_EQ(usage_error({"--tmep=1"}), "unknown option '--tmep' (did you mean '--temp'?)");
  EXPECT_EQ(usage_error({"-x"}), "unknown option '-x' (did you mean '-o'?)");
  EXPECT_EQ(usage_error({"--zzzzzzzz"}), "unknown option '--zzzzzzzz'");
  EXPECT_EQ(usage_error({"--prompt"}), "option '--prompt' needs a value");
  Args a = parse({"-n", "lots"});
  EXPECT_THROW(a.get_int("max-tokens", 0, -1, 100), UsageError);
  Args b = parse({"-n", "-5"});
  EXPECT_THROW(b.get_int("max-tokens", 0, -1, 100), UsageError);
}

TEST(CliArgs, HelpListsEverySpelling) {
  std::string help = Args::help_text(kSpecs);
  EXPECT_NE(help.find("--max-tokens=N, --n-predict, -n"), std::string::npos) << help;
  EXPECT_NE(help.find("--print-changed[=MODE]"), std::string::npos) << help;
}

}  // namespace
}  // namespace lmc::tools
