// The process's AMX tile state (support/tile_state.h): an answer that says why when the
// tiles are off, a refusal that holds for the rest of the process, and a native target
// that leaves AMX out unless the process holds the tiles (codegen/target.h). The refusals
// are permanent, so each runs in a child process of its own (a death test's fork).
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "codegen/target.h"
#include "runtime/host_isa.h"
#include "support/error.h"
#include "support/tile_state.h"

namespace lmc {
namespace {

bool names_tiles(const codegen::TargetSpec& t, const std::string& prefix = "+amx-") {
  for (const auto& f : codegen::split_features(t.features))
    if (f.rfind(prefix, 0) == 0) return true;
  return false;
}

TEST(TileState, AnswersWithAReason) {
  TileState s = tile_state();
  EXPECT_EQ(s.granted, s.why_off.empty()) << s.why_off;
  if (!s.cpu_has) {
    EXPECT_NE(s.why_off.find("cpuid"), std::string::npos) << s.why_off;
  }
  if (s.granted) {
    EXPECT_TRUE(s.cpu_has);
  }
  EXPECT_EQ(s.granted, names_tiles(codegen::resolve_target({true, "", ""})))
      << "a native target names AMX exactly when the process holds the tiles";
  auto missing = runtime::missing_isa({"amx-tile", "amx-int8"});
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(s.granted, missing->empty()) << "the host ISA counts AMX only when granted";
}

// Runs `body` in a child: exit code 0 when it returns true.
void expect_in_child(const std::function<bool()>& body) {
  EXPECT_EXIT(std::exit(body() ? 0 : 1), testing::ExitedWithCode(0), "");
}

TEST(TileState, ARefusalHoldsForTheProcess) {
  const bool granted = tile_state().granted;
  expect_in_child([granted] {
    refuse_tiles("--no-amx");
    TileState s = tile_state();
    return !s.granted && s.refused && (!granted || s.why_off == "turned off by --no-amx") &&
           !names_tiles(codegen::resolve_target({true, "", ""})) && !runtime::missing_isa({"amx-int8"})->empty();
  });
}

TEST(TileState, TheEnvironmentTurnsThemOff) {
  const bool granted = tile_state().granted;
  expect_in_child([granted] {
    setenv(kNoTilesVariable, "1", 1);
    TileState s = tile_state();
    return !s.granted && s.refused &&
           (!granted || s.why_off == std::string("turned off by ") + kNoTilesVariable + "=1");
  });
}

// Asking for the bf16 tile GEMM (by the flag or the environment) leaves a native target as
// it is: where the tiles are granted it keeps AMX-BF16 anyway, and a kernel's `prefill`
// attribute picks the tiles (codegen/prefill_choice.h).
TEST(TileState, Bf16TilesAskedForLeaveTheTargetAlone) {
  const codegen::TargetSpec plain = codegen::resolve_target({true, "", ""});
  EXPECT_FALSE(tile_state().bf16);
  EXPECT_EQ(tile_state().granted, names_tiles(plain, "+amx-tile"));
  expect_in_child([plain] {
    want_bf16_tiles("--amx-bf16");
    return tile_state().bf16 && codegen::resolve_target({true, "", ""}) == plain;
  });
  expect_in_child([plain] {
    setenv(kBf16TilesVariable, "1", 1);
    return tile_state().bf16 && codegen::resolve_target({true, "", ""}) == plain;
  });
}

// An explicit AMX target on a process without the tiles is refused, saying why.
TEST(TileState, AnAmxTargetIsRefusedWithoutTheTiles) {
  expect_in_child([] {
    refuse_tiles("--no-amx");
    codegen::TargetSpec t = codegen::resolve_target({true, "", "+amx-tile,+amx-int8"});
    try {
      codegen::require_host_features(t);
    } catch (const Error& e) {
      return std::string(e.what()).find("AMX tiles:") != std::string::npos;
    }
    return false;
  });
}

}  // namespace
}  // namespace lmc
