// The shared linear kernel case of linear_case.h.
#include "tests/codegen/linear_case.h"

#include <algorithm>
#include <cmath>

#include "ir/attribute.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {

constexpr double kEps = 1e-5;  // the rms_norm prologue's

codegen::KernelDesc linear_desc(const LinearCase& c, ir::Dim rows) {
  auto act = [&](int64_t width) { return "f32[" + rows.str() + "," + std::to_string(width) + "]"; };
  std::string k = std::to_string(c.K), n = std::to_string(c.N), in = act(c.K), out = act(c.N);
  std::string weight = std::string(ir::dtype_name(c.wtype)) + "[" + n + "," + k + "]";
  if (!c.fused()) {
    codegen::KernelDesc d;
    d.kind = "linear";
    d.operands = {make_type(ir::DType::f32, {rows, D(c.K)}), make_type(c.wtype, {D(c.N), D(c.K)})};
    d.results = {make_type(ir::DType::f32, {rows, D(c.N)})};
    return d;
  }
  std::string args = "%x: " + (c.prologue == Prologue::GateUp ? act(2 * c.K) : in), ops, x = "%x";
  if (c.prologue == Prologue::Norm) {
    args += ", %g: f32[" + k + "]";
    ops += "  %h = rms_norm %x, %g {eps = " + ir::format_double(kEps) + "} : " + in + "\n";
    x = "%h";
  } else if (c.prologue == Prologue::GateUp) {
    ops += "  %gate, %up = split %x {axis = 1, sizes = [" + k + ", " + k + "]} : " + in + ", " + in + "\n";
    ops += "  %a = " + c.gate_act + " %gate : " + in + "\n";
    ops += "  %h = mul %a, %up : " + in + "\n";
    x = "%h";
  }
  args += ", %w: " + weight;
  ops += "  %y = linear " + x + ", %w : " + out + "\n";
  std::string y = "%y";
  if (c.bias) {
    args += ", %b: f32[" + n + "]";
    ops += "  %yb = add " + y + ", %b : " + out + "\n";
    y = "%yb";
  }
  if (c.residual) {
    args += ", %r: " + out;
    ops += "  %yr = add " + y + ", %r : " + out + "\n";
    y = "%yr";
  }
  if (!c.out_act.empty()) {
    ops += "  %o = " + c.out_act + " " + y + " : " + out + "\n";
    y = "%o";
  }
  return fusion_desc("graph @body(" + args + ") {\n" + ops + "  return " + y + "\n}\n");
}

LinearData::LinearData(const LinearCase& c, int64_t T, uint32_t seed) {
  x = random_floats(T * (c.prologue == Prologue::GateUp ? 2 * c.K : c.K), seed, -2.0f, 2.0f);
  if (c.prologue == Prologue::Norm) g = random_floats(c.K, seed + 4, 0.5f, 1.5f);
  wf = random_floats(c.N * c.K, seed + 1);
  ir::DType base = ir::panel_base(c.wtype);
  if (base == ir::DType::q8_0) wq = quantize_q8_0(wf.data(), c.N, c.K);
  if (ggml_type_of(base))
    wq = random_ggml_blocks(c.N, c.K, base, seed + 1);
  else if (ir::is_kept_from_source(base))
    wq = quantize_small(wf.data(), c.N, c.K, base);
  if (base != c.wtype) wq = to_panels(wq, c.wtype, c.N, c.K);
  if (c.bias) bias = random_floats(c.N, seed + 2);
  if (c.residual) res = random_floats(T * c.N, seed + 3);
  y.assign(T * c.N, NAN);
  std::vector<double> input = input_rows(c, T);
  expect = reference_linear(input, weights(), c.wtype, T, c.K, c.N);
  tolerance = tolerances(c, T, input);
  for (int64_t i = 0; i < T * c.N; ++i) {
    if (c.bias) expect[i] += bias[i % c.N];
    if (c.residual) expect[i] += res[i];
    tolerance[i] += 1.2e-7 * std::fabs(expect[i]);  // the epilogue's adds round once each
    if (c.out_act.empty()) continue;
    // The activation's slope (below 1.2) carries the error through; its own is 1e-6 relative + 1e-7.
    expect[i] = ref_activation(c.out_act, expect[i]);
    tolerance[i] = 1.2 * tolerance[i] + 1e-6 * std::fabs(expect[i]) + 1e-7;
  }
}

std::vector<double> LinearData::input_rows(const LinearCase& c, int64_t T) const {
  if (c.prologue == Prologue::Norm) return reference_rms_norm(x.data(), T, c.K, g.data(), c.K, kEps, 0.0);
  std::vector<double> in(T * c.K);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t k = 0; k < c.K; ++k) {
      if (c.prologue == Prologue::GateUp) {
        const float* gu = x.data() + t * 2 * c.K;
        in[t * c.K + k] = ref_activation(c.gate_act, gu[k]) * gu[c.K + k];
      } else {
        in[t * c.K + k] = x[t * c.K + k];
      }
    }
  }
  return in;
}

// f32 rounding of a K-term sum, and of each input value a prologue computes
// (polynomial activations, the norm's f32 sum of squares); plus for block weights the
// input rounding of the integer paths (decode and prefill alike): each value of an
// input group (32, or 256 for the K types) is off by at most half a step
// (max|x_group| / 254), and a group of 32's scale by its f16 rounding (2^-11 of the
// block's terms). f32 weights must match without that allowance.
std::vector<double> LinearData::tolerances(const LinearCase& c, int64_t T, const std::vector<double>& in) const {
  std::vector<double> tol(T * c.N);
  double rel = c.prologue == Prologue::None ? 2e-6 : 4e-6;
  for (int64_t n = 0; n < c.N; ++n) {
    std::vector<float> w = weight_row(weights(), c.wtype, c.K, n);
    for (int64_t t = 0; t < T; ++t) {
      const double* xr = in.data() + t * c.K;
      const int64_t group = input_group(c.wtype);
      double mag = 0, quant = 0;
      for (int64_t b = 0; b < c.K; b += group) {
        double amax = 0, wsum = 0, bmag = 0;
        for (int64_t k = b; k < std::min(b + group, c.K); ++k) {
          amax = std::max(amax, std::fabs(xr[k]));
          wsum += std::fabs(w[k]);
          bmag += std::fabs(xr[k] * w[k]);
        }
        mag += bmag;
        quant += wsum * amax / 254.0 + (group == 32 ? bmag / 2048.0 : 0.0);
      }
      bool quantized = ir::is_quantized(c.wtype);
      tol[t * c.N + n] = rel * mag + 1e-6 + (quantized ? 1.01 * quant : 0.0);
    }
  }
  return tol;
}

std::vector<void*> LinearData::args(const LinearCase& c) {
  std::vector<void*> a{x.data()};
  if (c.prologue == Prologue::Norm) a.push_back(g.data());
  a.push_back(const_cast<void*>(weights()));
  if (c.bias) a.push_back(bias.data());
  if (c.residual) a.push_back(res.data());
  a.push_back(y.data());
  return a;
}

std::string case_name(const LinearCase& c) {
  const char* prologue[] = {"", " rms_norm", " gate_up"};
  return std::string(ir::dtype_name(c.wtype)) + " K=" + std::to_string(c.K) + " N=" + std::to_string(c.N) +
         prologue[static_cast<int>(c.prologue)] + (c.gate_act.empty() ? "" : "(" + c.gate_act + ")") +
         (c.bias ? " bias" : "") + (c.residual ? " residual" : "") + (c.out_act.empty() ? "" : " " + c.out_act);
}

}  // namespace lmc::test
