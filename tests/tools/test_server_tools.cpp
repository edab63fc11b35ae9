// lmc serve's built-in tools' pure rules (tools/serve/server_tools): globs, edit_file's
// unique and disjoint matches, the runtimes a call may name, and the commands' bounds (a
// deadline, an output cap, no child left behind).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "tools/serve/server_tools/child_process.h"
#include "tools/serve/server_tools/isolate_io.h"
#include "tools/serve/server_tools/path_glob.h"
#include "tools/serve/server_tools/text_edits.h"
#include "tools/serve/server_tools/tool_runtime.h"

namespace lmc::tools::server_tools {
namespace {

TEST(ServerToolGlob, StarStaysInAFolderAndDoubleStarCrossesThem) {
  EXPECT_TRUE(glob_match("*.cpp", "main.cpp"));
  EXPECT_FALSE(glob_match("*.cpp", "src/main.cpp"));
  EXPECT_TRUE(glob_match("**.cpp", "src/main.cpp"));
  EXPECT_TRUE(glob_match("**/*.cpp", "main.cpp"));  // "**/": no folder at all, too
  EXPECT_TRUE(glob_match("**/*.cpp", "a/b/main.cpp"));
  EXPECT_TRUE(glob_match("src/**/x.h", "src/x.h"));
  EXPECT_TRUE(glob_match("src/**/x.h", "src/a/b/x.h"));
  EXPECT_FALSE(glob_match("src/**/x.h", "lib/src/x.h"));
  EXPECT_TRUE(glob_match("?.txt", "a.txt"));
  EXPECT_FALSE(glob_match("?.txt", "/.txt"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(ServerToolGlob, Sets) {
  EXPECT_TRUE(glob_match("[abc].h", "b.h"));
  EXPECT_FALSE(glob_match("[abc].h", "d.h"));
  EXPECT_TRUE(glob_match("[a-z]1", "q1"));
  EXPECT_TRUE(glob_match("[!a-z]1", "Q1"));
  EXPECT_TRUE(glob_match("[^a-z]1", "Q1"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("[x", "[x"));  // an unclosed '[' is itself
}

TEST(ServerToolGlob, ManyStarsStayFast) {
  const std::string text(4000, 'a');
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_FALSE(glob_match("**a**a**a**a**a**a**a**b", text));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // exponential would never end
}

TEST(ServerToolPathGlob, NameAtAnyDepthOrTheWholePath) {
  EXPECT_TRUE(path_glob_match("test_tools_builtin.py", "tools/server/tests/unit/test_tools_builtin.py"));
  EXPECT_TRUE(path_glob_match("*proj*", "project-alpha"));
  EXPECT_TRUE(path_glob_match("unit/*.py", "tools/server/tests/unit/a.py"));  // "**/" put before it
  EXPECT_TRUE(path_glob_match("unit/*.py", "unit/a.py"));
  EXPECT_TRUE(path_glob_match("/unit/*.py", "unit/a.py"));  // a leading '/' anchors at the folder searched
  EXPECT_FALSE(path_glob_match("/unit/*.py", "tests/unit/a.py"));
  EXPECT_TRUE(path_glob_match("**", "a/b/c"));
}

TEST(ServerToolEdits, EachOldTextOnceMatchedAgainstTheOriginal) {
  const EditOutcome r =
      apply_edits("line1\nline2\nline3\n", {{"line2", "line2-edited"}, {"line3\n", "line3\nline4\n"}}, "f");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.content, "line1\nline2-edited\nline3\nline4\n");
  // Not one after the other: the second edit does not see the first's text.
  EXPECT_EQ(apply_edits("a b", {{"a", "b"}, {"b", "c"}}, "f").content, "b c");
}

TEST(ServerToolEdits, Refusals) {
  EXPECT_EQ(apply_edits("dup\ndup\n", {{"dup", "x"}}, "f.log").error,
            "found 2 occurrences of edits[0].old_text in f.log, it must be unique");
  EXPECT_EQ(apply_edits("line1\nline2\n", {{"line1\nline2", "a"}, {"line2", "b"}}, "f").error,
            "edits[0] and edits[1] overlap in f; merge them into one edit or target disjoint regions");
  EXPECT_NE(apply_edits("abc", {{"zzz", "y"}}, "f").error.find("could not find edits[0].old_text in f"),
            std::string::npos);
  EXPECT_EQ(apply_edits("abc", {{"", "y"}}, "f").error, "edits[0].old_text must not be empty");
  EXPECT_EQ(apply_edits("abc", {{"b", "b"}}, "f").error,
            "no changes made: the replacement(s) produced identical content");
  // Overlapping occurrences of one text count as llama-server counts them: not twice.
  EXPECT_EQ(apply_edits("aaa", {{"aa", "b"}}, "f").content, "ba");
}

TEST(ServerToolRuntime, SchemesAndTheNamesThatWouldBeOptions) {
  EXPECT_EQ(parse_runtime("").kind, RuntimeSpec::Host);
  EXPECT_EQ(parse_runtime("docker-container:abc123").arg, "abc123");
  EXPECT_EQ(parse_runtime("podman:busybox").kind, RuntimeSpec::Spawn);
  EXPECT_EQ(parse_runtime("ssh:user@host.example").kind, RuntimeSpec::Ssh);
  auto refused = [](const std::string& spec) {
    try {
      parse_runtime(spec);
    } catch (const ToolRefusal& e) {
      EXPECT_EQ(e.status, 500);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused("fake:does-not-exist"), "unknown tool runtime: fake:does-not-exist");
  EXPECT_EQ(refused("ssh:-oProxyCommand=touch /tmp/pwned"), "invalid ssh target: -oProxyCommand=touch /tmp/pwned");
  EXPECT_EQ(refused("docker-container:--privileged"), "invalid container id: --privileged");
  EXPECT_EQ(refused("podman-container:"), "invalid container id: ");
  EXPECT_EQ(shell_quoted({"echo", "it's"}), "'echo' 'it'\\''s'");
}

TEST(ServerToolCommand, OutputExitCodeAndInput) {
  const std::string input = "from stdin";
  CommandSpec s;
  s.argv = {"sh", "-c", "cat; echo; echo err >&2; exit 3"};
  s.input = &input;
  const CommandResult r = run_command(s);
  EXPECT_EQ(r.output, "from stdin\nerr\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  s.argv = {"no-such-command-lmc"};
  EXPECT_EQ(run_command(s).exit_code, -1);
}

TEST(ServerToolCommand, OutputIsBoundedAndTheCommandDrained) {
  CommandSpec s;
  s.argv = {"sh", "-c", "head -c 1000000 /dev/zero; echo done >&2"};
  s.max_output = 100;
  const CommandResult r = run_command(s);
  EXPECT_EQ(r.output.size(), 100u);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.exit_code, 0);  // it wrote all of it: never blocked on a full pipe
}

TEST(ServerToolCommand, DeadlineKillsTheWholeGroup) {
  CommandSpec s;
  s.argv = {"sh", "-c", "sleep 30 & echo $!; wait"};
  s.timeout = std::chrono::seconds(1);
  const auto t0 = std::chrono::steady_clock::now();
  const CommandResult r = run_command(s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_TRUE(r.timed_out);
  const pid_t sleeper = std::stoi(r.output);
  // The background child is gone too: no such process, or a zombie its new parent has yet to reap.
  auto gone = [sleeper] {
    std::ifstream stat("/proc/" + std::to_string(sleeper) + "/stat");
    std::string pid, comm, state;
    return !(stat >> pid >> comm >> state) || state == "Z";
  };
  for (int i = 0; i < 100 && !gone(); ++i) usleep(20'000);
  EXPECT_TRUE(gone());
}

TEST(ServerToolCommand, ABackgroundChildHoldingTheOutputDoesNotHoldTheCall) {
  CommandSpec s;
  s.argv = {"sh", "-c", "sleep 30 & echo started"};
  s.timeout = std::chrono::seconds(20);
  const auto t0 = std::chrono::steady_clock::now();
  const CommandResult r = run_command(s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(r.output, "started\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ServerToolCommand, CancelledEndsIt) {
  std::atomic<bool> cancelled{true};
  CommandSpec s;
  s.argv = {"sleep", "30"};
  s.timeout = std::chrono::seconds(20);
  s.cancelled = &cancelled;
  const auto t0 = std::chrono::steady_clock::now();
  run_command(s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace lmc::tools::server_tools
