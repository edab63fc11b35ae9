#include "codegen/rope_shape.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace lmc::codegen {

namespace {

RopeScaling rope_scaling(const KernelDesc& d) {
  RopeScaling r;
  r.kind = d.attrs.count("scaling") ? attr_string(d, "scaling") : "none";
  if (r.kind == "none") return r;
  if (r.kind != "linear" && r.kind != "llama3" && r.kind != "yarn" && r.kind != "dynamic")
    desc_error(d, "scaling must be none, linear, llama3, yarn or dynamic");
  r.factor = attr_float(d, "factor");
  if (r.kind == "dynamic") {
    r.original_context = attr_float(d, "original_context");
    if (!(r.original_context > 0)) desc_error(d, "dynamic scaling needs original_context > 0");
  }
  if (r.kind == "yarn") {
    r.original_context = attr_float(d, "original_context");
    if (d.attrs.count("beta_fast")) r.beta_fast = attr_float(d, "beta_fast");
    if (d.attrs.count("beta_slow")) r.beta_slow = attr_float(d, "beta_slow");
    if (!(r.original_context > 0 && r.beta_fast > r.beta_slow && r.beta_slow > 0))
      desc_error(d, "yarn scaling needs original_context > 0 and beta_fast > beta_slow > 0");
  }
  if (r.kind == "llama3") {
    r.low_freq_factor = attr_float(d, "low_freq_factor");
    r.high_freq_factor = attr_float(d, "high_freq_factor");
    r.original_context = attr_float(d, "original_context");
    if (!(r.high_freq_factor > r.low_freq_factor && r.low_freq_factor > 0 && r.original_context > 0))
      desc_error(d, "llama3 scaling needs 0 < low_freq_factor < high_freq_factor and original_context > 0");
  }
  if (!(r.factor > 0)) desc_error(d, "factor must be positive");
  return r;
}

// Llama 3's: wavelengths shorter than original_context / high_freq_factor keep their
// frequency, those longer than original_context / low_freq_factor are divided by factor,
// and between, frequency / factor and frequency are blended by where the wavelength lies.
double llama3_frequency(const RopeScaling& r, double freq) {
  const double wavelen = 2 * std::numbers::pi / freq;
  if (wavelen < r.original_context / r.high_freq_factor) return freq;
  if (wavelen > r.original_context / r.low_freq_factor) return freq / r.factor;
  const double smooth = (r.original_context / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
  return (1 - smooth) * freq / r.factor + smooth * freq;
}

// YaRN's (Peng et al. 2023, as Hugging Face and llama.cpp compute it): the pair whose
// frequency turns `rotations` times over original_context, as a fractional pair index.
double yarn_pair(const RopeShape& s, double rotations) {
  const double rd = static_cast<double>(s.rotary_dim);
  return rd * std::log(s.scaling.original_context / (rotations * 2 * std::numbers::pi)) / (2 * std::log(s.base));
}

// Pair i keeps its frequency below pair `low` (fast turning), is divided by factor above
// `high`, and blends linearly between; low and high are whole pairs (floor, ceil) within
// the head's.
double yarn_frequency(const RopeShape& s, int64_t i, double freq) {
  const double low = std::max(std::floor(yarn_pair(s, s.scaling.beta_fast)), 0.0);
  double high = std::min(std::ceil(yarn_pair(s, s.scaling.beta_slow)), static_cast<double>(s.rotary_dim - 1));
  if (high == low) high += 0.001;
  const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
  return freq / s.scaling.factor * ramp + freq * (1 - ramp);
}

}  // namespace

std::vector<double> rope_frequencies(const RopeShape& s) {
  std::vector<double> freq;
  for (int64_t i = 0; i < s.pairs(); ++i) {
    double f = std::pow(s.base, -2.0 * static_cast<double>(i) / static_cast<double>(s.rotary_dim));
    if (s.scaling.kind == "linear") f /= s.scaling.factor;
    if (s.scaling.kind == "llama3") f = llama3_frequency(s.scaling, f);
    if (s.scaling.kind == "yarn") f = yarn_frequency(s, i, f);
    freq.push_back(f);
  }
  return freq;
}

unsigned rotation_lanes(const RopeShape& s, unsigned lanes) {
  int64_t g = std::gcd(std::gcd(static_cast<int64_t>(lanes), s.head_dim), s.neox ? s.pairs() : s.rotary_dim);
  unsigned out = 1;
  while (out * 2 <= g && g % (out * 2) == 0) out *= 2;
  return out;
}

RopeShape rope_shape(const KernelDesc& d) {
  if (d.operands.size() != 2 && d.operands.size() != 3) expect_arity(d, 2, 1);
  expect_arity(d, d.operands.size(), 1);
  RopeShape s;
  s.x = expect_f32_rows(d, d.operands[0], "input");
  expect_row_ids(d, d.operands[1], s.x.rows, "positions");
  if (!(d.results[0] == d.operands[0])) desc_error(d, "result must have the input's type");
  s.head_dim = attr_int(d, "head_dim");
  if (s.head_dim <= 0 || s.head_dim % 2 || s.x.width % s.head_dim)
    desc_error(d, "head_dim must be even and divide the row width");
  s.rotary_dim = d.attrs.count("rotary_dim") ? attr_int(d, "rotary_dim") : s.head_dim;
  if (s.rotary_dim <= 0 || s.rotary_dim % 2 || s.rotary_dim > s.head_dim)
    desc_error(d, "rotary_dim must be even and within head_dim");
  s.base = attr_float(d, "base");
  if (!(s.base > 0)) desc_error(d, "base must be positive");
  std::string style = attr_string(d, "style");
  if (style != "neox" && style != "normal") desc_error(d, "style must be \"neox\" or \"normal\"");
  s.neox = style == "neox";
  s.scaling = rope_scaling(d);
  if (s.scaling.kind == "dynamic" && s.rotary_dim < 4) desc_error(d, "dynamic scaling needs rotary_dim >= 4");
  // YaRN's attention scaling unless the op gives its own: 0.1 ln(factor) + 1.
  if (d.attrs.count("attn_factor"))
    s.attn_factor = attr_float(d, "attn_factor");
  else if (s.scaling.kind == "yarn" && s.scaling.factor > 1)
    s.attn_factor = 0.1 * std::log(s.scaling.factor) + 1;
  if (!(s.attn_factor > 0)) desc_error(d, "attn_factor must be positive");
  s.factors = d.operands.size() == 3;
  if (s.factors && !(d.operands[2] == ir::Type{ir::DType::f32, {ir::Dim::of(s.pairs())}}))
    desc_error(d, "frequency factors must be f32[rotary_dim / 2]");
  return s;
}

}  // namespace lmc::codegen
