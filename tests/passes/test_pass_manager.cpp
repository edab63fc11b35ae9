// The pass manager's safety nets and instrumentation: a pass that lies about
// "unchanged" is caught by the fingerprint, a pass that breaks the graph is caught by
// the verifier, a pass's malformed pattern or unguarded fuse() is reported with its name,
// and each time the failing IR is written out for lmc opt to read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/api/op_pattern.h"
#include "passes/api/rewriter.h"
#include "passes/pass_manager.h"
#include "passes/run_program.h"
#include "support/error.h"
#include "tests/runtime/output_kinds.h"

namespace lmc::passes {
namespace {

namespace fs = std::filesystem;

const char* kGraph =
    "graph @g(%x: f32[T,32]) {\n"
    "  %w = param {name = \"w\"} : f32[16,32]\n"
    "  %y = linear %x, %w : f32[T,16]\n"
    "  %z = silu %y : f32[T,16]\n"
    "  return %z\n"
    "}\n";

// Renames a value but reports that nothing changed: the lie the fingerprint catches.
class LyingPass : public Pass {
 public:
  std::string name() const override { return "test-liar"; }
  std::string summary() const override { return "changes the graph, says it did not"; }
  PassResult run(ir::Graph& g, PassContext&) override {
    g.ops().back()->result()->set_name("renamed");
    return {false, {"changed nothing (honest!)"}};
  }
};

// Declares the silu's result with the wrong width: the verifier must catch it.
class BreakingPass : public Pass {
 public:
  std::string name() const override { return "test-breaker"; }
  std::string summary() const override { return "produces an invalid graph"; }
  PassResult run(ir::Graph& g, PassContext&) override {
    g.ops().back()->result()->set_type(ir::Type{ir::DType::f32, {ir::Dim::symbolic(ir::Sym::T), ir::Dim::of(8)}});
    return {true, {}};
  }
};

// Changes nothing and says so, with a statistic.
class IdlePass : public Pass {
 public:
  std::string name() const override { return "test-idle"; }
  std::string summary() const override { return "does nothing"; }
  PassResult run(ir::Graph&, PassContext& ctx) override {
    ctx.remark(name(), "z", "looked and left it");
    return {false, {"idled once"}};
  }
};

// Scales the output by 2: a real, valid change.
class ScalePass : public Pass {
 public:
  std::string name() const override { return "test-scale"; }
  std::string summary() const override { return "appends a scale"; }
  PassResult run(ir::Graph& g, PassContext&) override {
    ir::Value* out = g.outputs().front();
    auto op = std::make_unique<ir::Op>("scale", std::vector<ir::Value*>{out}, ir::AttrMap{{"factor", 2.0}});
    op->add_result("scaled", out->type());
    ir::Op* raw = g.append(std::move(op));
    g.set_outputs({raw->result()});
    return {true, {"scaled 1 output"}};
  }
};

// States a pattern that does not parse: a fault of the pass's own code.
class BadPatternPass : public Pass {
 public:
  std::string name() const override { return "test-bad-pattern"; }
  std::string summary() const override { return "matches with a malformed pattern"; }
  PassResult run(ir::Graph&, PassContext&) override {
    OpPattern("%y = linear %x, %w\n%z = frobnicate %y\n");
    return {};
  }
};

// Fuses the param with its reader without asking fusion_blocker first.
class UnguardedFusePass : public Pass {
 public:
  std::string name() const override { return "test-unguarded-fuse"; }
  std::string summary() const override { return "fuses what no kernel can run"; }
  PassResult run(ir::Graph& g, PassContext&) override {
    Rewriter(g).fuse({g.ops().front().get(), std::next(g.ops().begin())->get()});
    return {true, {}};
  }
};

class PassManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lmc-pm-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  // Runs `passes` on kGraph; returns the error message, or "" on success.
  std::string run(std::vector<std::unique_ptr<Pass>> passes, Instrumentation inst = {}) {
    inst.out = &log_;
    if (inst.dump_dir.empty()) inst.dump_dir = dir_.string();
    PassManager pm(inst);
    for (auto& p : passes) pm.add(std::move(p));
    graph_ = ir::parse(kGraph);
    PassContext ctx;
    try {
      pm.run(*graph_, ctx);
      records_ = pm.records();
      summary_ = pm.summary();
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  }

  template <typename... P>
  static std::vector<std::unique_ptr<Pass>> make() {
    std::vector<std::unique_ptr<Pass>> v;
    (v.push_back(std::make_unique<P>()), ...);
    return v;
  }

  fs::path dir_;
  std::ostringstream log_;
  std::unique_ptr<ir::Graph> graph_;
  std::vector<PassRecord> records_;
  std::vector<std::string> summary_;
};

TEST_F(PassManagerTest, FingerprintCatchesALyingPass) {
  Instrumentation inst;
  inst.dump_dir = (dir_ / "dumps").string();
  std::string err = run(make<LyingPass>(), inst);
  fs::path failed = dir_ / "dumps" / "failed-after-test-liar.lir";
  EXPECT_EQ(err, "pass 'test-liar': reported no change but changed the graph (IR written to " + failed.string() + ")");
  ASSERT_TRUE(fs::exists(failed));
  std::string ir = read(failed);
  EXPECT_NE(ir.find("%renamed = silu %y"), std::string::npos) << ir;
  // The written IR is the graph as the pass left it, and lmc opt can read it.
  EXPECT_EQ(ir::print(*ir::parse(ir)), ir);
}

TEST_F(PassManagerTest, VerifierCatchesABrokenGraph) {
  Instrumentation inst;
  inst.dump_dir = (dir_ / "dumps").string();
  std::string err = run(make<BreakingPass>(), inst);
  fs::path failed = dir_ / "dumps" / "failed-after-test-breaker.lir";
  EXPECT_EQ(err,
            "pass 'test-breaker': produced an invalid graph: after test-breaker:4: error: op 'silu' defining %z "
            "(line 4) result %z is declared f32[T,8] but its operands give f32[T,16] (IR written to " +
                failed.string() + ")");
  ASSERT_TRUE(fs::exists(failed));
  // The dump parses, and the verifier finds the same fault in it.
  auto g = ir::parse_file(failed.string());
  EXPECT_THROW(ir::verify(*g, failed.string()), Error);
}

TEST_F(PassManagerTest, PatternAndFuseErrorsNameThePass) {
  std::string err = run(make<BadPatternPass>());
  EXPECT_EQ(err.rfind("pass 'test-bad-pattern': pattern:2:6: error: 'frobnicate' is neither an op nor a role", 0), 0u)
      << err;
  err = run(make<UnguardedFusePass>());
  EXPECT_EQ(err.rfind("pass 'test-unguarded-fuse': cannot fuse: ", 0), 0u) << err;
  EXPECT_TRUE(fs::exists(dir_ / "failed-after-test-unguarded-fuse.lir"));
}

TEST_F(PassManagerTest, HonestPassesRunAndAreRecorded) {
  Instrumentation inst;
  inst.pass_stats = true;
  inst.remarks = true;
  EXPECT_EQ(run(make<IdlePass, ScalePass>(), inst), "");
  ASSERT_EQ(records_.size(), 2u);
  EXPECT_EQ(records_[0].name, "test-idle");
  EXPECT_FALSE(records_[0].changed);
  EXPECT_TRUE(records_[1].changed);
  EXPECT_GE(records_[1].seconds, 0.0);
  // The summary keeps what changed passes said.
  EXPECT_EQ(summary_, std::vector<std::string>{"scaled 1 output"});
  EXPECT_EQ(log_.str(),
            "[pass-stats] test-idle: idled once\n"
            "[pass-stats] test-scale: scaled 1 output\n"
            "remark: test-idle: %z: looked and left it\n");
  EXPECT_EQ(graph_->outputs().front()->name(), "scaled");
}

TEST_F(PassManagerTest, PrintAfterChangeSkipsUnchangedPasses) {
  Instrumentation inst;
  inst.print_after_all = true;
  inst.print_after_change = true;
  EXPECT_EQ(run(make<IdlePass, ScalePass, IdlePass>(), inst), "");
  std::string log = log_.str();
  EXPECT_EQ(log.find("After test-idle"), std::string::npos) << log;
  EXPECT_EQ(log.rfind("// -----// IR Dump After test-scale //----- //\n", 0), 0u) << log;
}

TEST_F(PassManagerTest, DumpsAreNumberedInPipelineOrder) {
  Instrumentation inst;
  inst.dump_dir = (dir_ / "d").string();
  EXPECT_EQ(run(make<IdlePass, ScalePass>(), inst), "");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ / "d")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"01-test-idle.after.lir", "01-test-idle.before.lir",
                                             "02-test-scale.after.lir", "02-test-scale.before.lir"}));
  EXPECT_EQ(read(dir_ / "d" / "01-test-idle.before.lir"), kGraph);
  EXPECT_EQ(read(dir_ / "d" / "02-test-scale.after.lir"), ir::print(*graph_));
}

// A dump "folder" that is a FIFO or a device (--dump-ir-dir=/dev/null) gets every dump in
// turn, and stays what it is (tests/runtime/output_kinds.h).
TEST_F(PassManagerTest, DumpsIntoAFifoComeOneAfterAnother) {
  std::string bytes = runtime::testing::expect_fifo_output([&](const std::string& path) {
    Instrumentation inst;
    inst.dump_dir = path;
    inst.dump_dot = true;
    EXPECT_EQ(run(make<IdlePass>(), inst), "");
  });
  EXPECT_EQ(bytes.rfind(kGraph, 0), 0u) << bytes;  // 01-test-idle.before.lir first
  EXPECT_NE(bytes.find("digraph"), std::string::npos) << bytes;
}

TEST_F(PassManagerTest, DumpsIntoADeviceLeaveIt) {
  runtime::testing::expect_device_output([&](const std::string& path) {
    Instrumentation inst;
    inst.dump_dir = path;
    EXPECT_EQ(run(make<IdlePass, ScalePass>(), inst), "");
  });
}

// The dump directory reaches Graphviz as an argument, never through a shell: quotes,
// $(...) and ';' in its name are characters of a file name.
TEST_F(PassManagerTest, DotDumpDirectoryIsNotShellText) {
  ASSERT_EQ(run_program({"dot", "-V"}), ProgramResult::Ok) << "Graphviz's dot is needed (scripts/setup.sh installs it)";
  fs::create_directories(dir_);
  fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  Instrumentation inst;
  inst.dump_dir = (dir_ / "a'$(touch pwned1)';touch pwned2;'b").string();
  inst.dump_dot = true;
  std::string err = run(make<IdlePass>(), inst);
  fs::current_path(cwd);
  EXPECT_EQ(err, "");
  EXPECT_FALSE(fs::exists(dir_ / "pwned1"));
  EXPECT_FALSE(fs::exists(dir_ / "pwned2"));
  EXPECT_TRUE(fs::exists(fs::path(inst.dump_dir) / "01-test-idle.before.svg"));
}

}  // namespace
}  // namespace lmc::passes
