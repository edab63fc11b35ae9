// Kernel compiler and its object: naming and sharing of kernels, target selection,
// dumps, compile statistics, the object-file round trip and the host feature check.
#include <gtest/gtest.h>

#include <filesystem>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "codegen/kernel_name.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"
#include "tests/runtime/output_kinds.h"

namespace lmc::test {
namespace {

codegen::KernelDesc q8_linear(int64_t K, int64_t N) {
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands = {make_type(ir::DType::f32, {T(), D(K)}), make_type(ir::DType::q8_0, {D(N), D(K)})};
  d.results = {make_type(ir::DType::f32, {T(), D(N)})};
  return d;
}

// linear(x, w) then `act`, as a fusion body whose values are named with `prefix`.
codegen::KernelDesc q8_linear_act(int64_t K, int64_t N, const std::string& act, const std::string& prefix = "") {
  std::string k = std::to_string(K), n = std::to_string(N), x = "%" + prefix + "x", w = "%" + prefix + "w",
              y = "%" + prefix + "y", a = "%" + prefix + "a";
  return fusion_desc("graph @body(" + x + ": f32[T," + k + "], " + w + ": q8_0[" + n + "," + k + "]) {\n  " + y +
                     " = linear " + x + ", " + w + " : f32[T," + n + "]\n  " + a + " = " + act + " " + y + " : f32[T," +
                     n + "]\n  return " + a + "\n}\n");
}

TEST(KernelDesc, KeyNamesEverythingThatShapesTheCode) {
  EXPECT_EQ(q8_linear(640, 2048).key(), "linear(f32[T,640], q8_0[2048,640]) -> (f32[T,2048])");
  codegen::KernelDesc norm;
  norm.kind = "rms_norm";
  norm.operands = {make_type(ir::DType::f32, {T(), D(64)}), make_type(ir::DType::f32, {D(64)})};
  norm.results = {norm.operands[0]};
  norm.attrs = {{"offset", 1.0}, {"eps", 1e-6}};
  EXPECT_EQ(norm.key(), "rms_norm(f32[T,64], f32[64]) -> (f32[T,64]) {eps = 1e-06, offset = 1.0}");
  // A fusion's body on one line, its values numbered in order.
  EXPECT_EQ(q8_linear_act(640, 2048, "silu").key(),
            "fusion(f32[T,640], q8_0[2048,640]) -> (f32[T,2048]) {; ^(%0: f32[T,640], %1: q8_0[2048,640]):; "
            "%2 = linear %0, %1 : f32[T,2048]; %3 = silu %2 : f32[T,2048]; yield %3; }");
}

TEST(KernelDesc, TheSameBodyWhateverItsNamesIsOneKey) {
  EXPECT_EQ(q8_linear_act(64, 16, "silu").key(), q8_linear_act(64, 16, "silu", "blk.3.").key());
  EXPECT_NE(q8_linear_act(64, 16, "silu").key(), q8_linear_act(64, 16, "gelu").key());
}

TEST(KernelName, ReadableKindDtypeAndDims) {
  EXPECT_EQ(codegen::kernel_base_name(q8_linear(640, 2048)), "linear_q8_0_640x2048");
  EXPECT_EQ(codegen::kernel_base_name(q8_linear_act(640, 2048, "gelu_tanh")), "fused_linear_gelu_tanh_q8_0_640x2048");
}

TEST(KernelCompiler, IdenticalDescriptorsShareOneKernel) {
  codegen::KernelCompiler c;
  std::string a = c.add(q8_linear(64, 16));
  EXPECT_EQ(c.add(q8_linear(64, 16)), a);
  std::string silu = c.add(q8_linear_act(64, 16, "silu"));
  EXPECT_EQ(c.add(q8_linear_act(64, 16, "silu", "layer1.")), silu);  // another layer's copy
  std::string gelu = c.add(q8_linear_act(64, 16, "gelu"));
  EXPECT_EQ(silu, "fused_linear_silu_q8_0_64x16");
  EXPECT_EQ(gelu, "fused_linear_gelu_q8_0_64x16");
  EXPECT_EQ(c.kernels().size(), 3u);
  EXPECT_EQ(c.stats().kernels, 3);
  const int64_t one_row[ir::kNumSyms] = {1, 1}, many_rows[ir::kNumSyms] = {20, 1};
  EXPECT_EQ(c.kernels()[0].info.items(one_row), 16);
  EXPECT_EQ(c.kernels()[1].info.items(one_row), 16);  // a fused linear's items are its columns too
  // From kPrefillMinRows rows on, the items are the rows, split evenly over the threads.
  EXPECT_EQ(c.kernels()[1].info.items(many_rows), 20);
  EXPECT_EQ(c.kernels()[1].info.grain_for(many_rows, 2), 10);
  EXPECT_EQ(c.kernels()[1].info.grain_for(one_row, 2), 64);  // 16 columns: one call
  codegen::KernelInfo wide = c.kernels()[1].info;
  wide.fixed = 3072;
  EXPECT_EQ(wide.grain_for(one_row, 2), 768);  // at most two calls per thread
}

TEST(KernelCompiler, UnknownKindIsAnError) {
  codegen::KernelCompiler c;
  codegen::KernelDesc d;
  d.kind = "no_such_op";
  EXPECT_THROW(c.add(d), Error);
}

TEST(KernelCompiler, SpentAfterCompile) {
  codegen::KernelCompiler c;
  c.add(q8_linear(32, 8));
  c.compile();
  EXPECT_THROW(c.add(q8_linear(64, 8)), Error);
  EXPECT_THROW(c.compile(), Error);
}

TEST(KernelCompiler, DumpsOneIrAndAsmFilePerKernel) {
  auto dir = std::filesystem::temp_directory_path() / ("lmc_dump_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  codegen::KernelCompiler c;
  std::string name = c.add(q8_linear(640, 2048));
  codegen::CompileOptions opts{(dir / "ir").string(), (dir / "asm").string()};
  std::string object = c.compile(opts);
  EXPECT_FALSE(object.empty());
  std::string ir = read_text(dir / "ir" / (name + ".ll"));
  std::string as = read_text(dir / "asm" / (name + ".s"));
  EXPECT_NE(ir.find("define void @" + name + "("), std::string::npos);
  // The decode path's integer dot product and the prefill path's FMA tile.
  EXPECT_NE(as.find("vpmaddubsw"), std::string::npos);
  EXPECT_NE(as.find("vfmadd231ps"), std::string::npos);
  // Activations and exp are inlined vector code, never libm calls; the only
  // calls allowed are the memset/memcpy LLVM makes of simple fill loops.
  for (size_t at = as.find("call"); at != std::string::npos; at = as.find("call", at + 1)) {
    std::string callee = as.substr(at, as.find('\n', at) - at);
    EXPECT_TRUE(callee.find("memset") != std::string::npos || callee.find("memcpy") != std::string::npos) << callee;
  }
  EXPECT_GT(c.stats().total_seconds(), 0.0);
  std::filesystem::remove_all(dir);
}

// --dump-llvm-ir=/dev/null or a FIFO: every kernel's IR goes into it in turn, the node stays
// (tests/runtime/output_kinds.h).
void dump_two_kernels(const std::string& ir, const std::string& assembly) {
  codegen::KernelCompiler c;
  c.add(q8_linear(32, 8));
  c.add(q8_linear(64, 8));
  c.compile({ir, assembly});
}

TEST(KernelCompiler, DumpsIntoAFifoOneKernelAfterAnother) {
  std::string ir = runtime::testing::expect_fifo_output([](const std::string& path) { dump_two_kernels(path, ""); });
  EXPECT_EQ(ir.rfind("; ModuleID = '", 0), 0u) << ir.substr(0, 200);
  size_t first = ir.find("define void @"), second = ir.find("define void @", first + 1);
  EXPECT_NE(second, std::string::npos) << "two kernels' IR";
}

TEST(KernelCompiler, DumpsIntoADeviceLeaveIt) {
  runtime::testing::expect_device_output([](const std::string& path) { dump_two_kernels(path, path); });
}

TEST(Target, BaselineIsHaswellClassAvx2) {
  auto t = codegen::resolve_target({});
  EXPECT_EQ(t.str(), "cpu=x86-64-v3 features=+avx,+avx2,+fma,+f16c");
  EXPECT_TRUE(codegen::missing_host_features(t).empty());
}

TEST(Target, OverridesAndValidation) {
  auto t = codegen::resolve_target({false, "skylake", "+avx512f"});
  EXPECT_EQ(t.cpu, "skylake");
  EXPECT_EQ(t.features, "+avx512f");
  EXPECT_THROW(codegen::resolve_target({false, "", "-avx2"}), Error);       // below the baseline
  EXPECT_THROW(codegen::resolve_target({false, "nehalem", ""}), Error);
  EXPECT_THROW(codegen::resolve_target({false, "no-such-cpu", ""}), Error);
  EXPECT_THROW(codegen::resolve_target({false, "", "+no-such-feature"}), Error);
  EXPECT_THROW(codegen::resolve_target({false, "", "avx2"}), Error);
  auto native = codegen::resolve_target({true, "", ""});
  EXPECT_FALSE(native.cpu.empty());
  EXPECT_NE(native.features.find("+avx2"), std::string::npos);
}

// The object written into an artifact loads on its own and computes the same results
// as the directly compiled one.
TEST(KernelLibrary, ObjectFileRoundTrip) {
  codegen::KernelCompiler c;
  std::string name = c.add(q8_linear(96, 40));
  std::string object = c.compile();
  auto lib = codegen::KernelLibrary::load(object, "test.lmc:kernels");

  codegen::KernelCompiler c2;
  c2.add(q8_linear(96, 40));
  auto direct = codegen::KernelLibrary::compile(c2);

  auto x = random_floats(3 * 96, 1);
  auto wf = random_floats(40 * 96, 2);
  auto wq = quantize_q8_0(wf.data(), 40, 96);
  std::vector<float> y1(3 * 40), y2(3 * 40);
  int64_t syms[ir::kNumSyms] = {3, 1};
  run_split(lib->lookup(name), {x.data(), wq.data(), y1.data()}, syms, 40, 2);
  run_split(direct->lookup(name), {x.data(), wq.data(), y2.data()}, syms, 40, 1);
  EXPECT_EQ(y1, y2);
  EXPECT_THROW(lib->lookup("not_a_kernel"), Error);
}

// The opt-in host target (AVX-512 where present) computes what the baseline does.
TEST(KernelLibrary, NativeTargetMatchesBaseline) {
  auto run = [](const codegen::TargetSpec& target, int64_t T) {
    codegen::KernelCompiler c(target);
    std::string name = c.add(q8_linear(160, 37));
    auto lib = codegen::KernelLibrary::compile(c);
    auto x = random_floats(T * 160, 3);
    auto wf = random_floats(37 * 160, 4);
    auto wq = quantize_q8_0(wf.data(), 37, 160);
    std::vector<float> y(T * 37);
    int64_t syms[ir::kNumSyms] = {T, 1};
    run_split(lib->lookup(name), {x.data(), wq.data(), y.data()}, syms, c.kernels().front().info.items(syms), 2);
    return y;
  };
  auto native = codegen::resolve_target({true, "", ""});
  for (int64_t T : {1, 20}) EXPECT_EQ(run(native, T), run(codegen::baseline_target(), T)) << "T=" << T;
}

TEST(KernelTarget, RefusesFeaturesTheHostLacks) {
  // A feature the host reports absent (LLVM's host list always has some).
  auto native = codegen::resolve_target({true, "", ""});
  size_t minus = native.features.find("-");
  ASSERT_NE(minus, std::string::npos);
  std::string absent = native.features.substr(minus + 1, native.features.find(',', minus) - minus - 1);
  codegen::TargetSpec spec{"x86-64-v3", "+" + absent};
  try {
    codegen::require_host_features(spec);
    FAIL() << "expected an error for +" << absent;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(absent), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lmc::test
