#include "models/weight_source.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <numeric>

#include "models/formats/gguf_file.h"
#include "models/formats/safetensors_file.h"
#include "models/hf_names.h"
#include "models/quant/weight_packing.h"
#include "support/error.h"
#include "support/huge_pages.h"

namespace lmc::models {

namespace {

// A parsed transform expression: fn is "" for a plain tensor name. rows(w,b,n) and
// cols(w,b,n) are rows or columns [b, b+n) of w: one rank's share of a sharded weight.
struct WeightExpr {
  std::string fn;
  std::string name;
  std::vector<WeightExpr> args;
  int64_t begin = 0, size = 0;
};

int64_t slice_bound(const WeightExpr& arg, const std::string& s) {
  const std::string& t = arg.name;
  int64_t v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!arg.fn.empty() || t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size() || v < 0)
    throw Error("slice bound '" + t + "' is not a non-negative integer in '" + s + "'");
  return v;
}

// The outermost transform that names the packed type (q8_0, or a type kept from the file).
bool is_packing(const std::string& fn) {
  auto t = ir::parse_dtype(fn);
  return t && ir::is_quantized(*t);
}

// Real transforms nest a few levels (q8_0(T(cat(a,b)))); the bound keeps a hostile
// "T(T(T(..." in a model definition from overflowing the stack.
constexpr int kMaxWeightExprDepth = 32;

WeightExpr parse_weight_expr(const std::string& s, size_t& p, int depth) {
  if (depth > kMaxWeightExprDepth)
    throw Error("weight expression nested deeper than " + std::to_string(kMaxWeightExprDepth) + " levels in '" + s +
                "'");
  size_t b = p;
  while (p < s.size() && s[p] != '(' && s[p] != ',' && s[p] != ')') ++p;
  std::string head = s.substr(b, p - b);
  if (p >= s.size() || s[p] != '(') return {"", head, {}};
  if (head != "T" && head != "flat" && head != "cat" && head != "cat1" && head != "stack" && head != "rows" &&
      head != "cols" && !is_packing(head))
    throw Error("unknown weight transform '" + head + "' in '" + s + "'");
  WeightExpr e{head, "", {}};
  ++p;
  do {
    if (p < s.size() && s[p] == ',') ++p;
    e.args.push_back(parse_weight_expr(s, p, depth + 1));
  } while (p < s.size() && s[p] == ',');
  if (p >= s.size() || s[p] != ')') throw Error("unbalanced parentheses in weight expression '" + s + "'");
  ++p;
  bool sliced = e.fn == "rows" || e.fn == "cols";
  size_t want = sliced ? 3 : 1;
  bool variadic = e.fn == "cat" || e.fn == "cat1" || e.fn == "stack";
  if ((!variadic && e.args.size() != want) || e.args.empty())
    throw Error("wrong number of arguments to " + e.fn + "() in '" + s + "'");
  if (sliced) {
    e.begin = slice_bound(e.args[1], s);
    e.size = slice_bound(e.args[2], s);
    e.args.resize(1);
  }
  return e;
}

WeightExpr parse_weight_expr(const std::string& s) {
  size_t p = 0;
  WeightExpr e = parse_weight_expr(s, p, 0);
  if (p != s.size()) throw Error("trailing text in weight expression '" + s + "'");
  return e;
}

ExprValue json_to_expr(const json::Value& v) {
  if (v.is_number()) return v.as_number();
  if (v.is_bool()) return v.as_bool() ? 1.0 : 0.0;
  if (v.is_string()) return v.as_string();
  if (v.is_array()) {
    std::vector<double> out;
    for (const auto& e : v.as_array())
      if (e.is_number()) out.push_back(e.as_number());
    return out;
  }
  throw v.error("config value is " + std::string(v.kind_name()) + ", not usable in a model definition");
}

ExprValue gguf_to_expr(const MetaValue& m) {
  return std::visit(
      [](const auto& x) -> ExprValue {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, MetaArray>) {
          // Arrays are exposed by length (e.g. the vocabulary size from tokenizer.ggml.tokens).
          return static_cast<double>(x.size());
        } else {
          return static_cast<double>(x);
        }
      },
      m.v);
}

// A folder's experts as the stack() transform of their tensors.
std::string stacked_parts(const HfTensor& t) {
  std::string expr = "stack(";
  for (size_t i = 0; i < t.parts.size(); ++i) expr += (i ? "," : "") + t.parts[i];
  return expr + ")";
}

}  // namespace

WeightSource::~WeightSource() = default;

std::unique_ptr<WeightSource> WeightSource::open(const std::string& path) {
  std::unique_ptr<WeightSource> w(new WeightSource());
  w->path_ = path;
  if (!std::filesystem::exists(path)) throw error_at(path, "weights not found");
  if (std::filesystem::is_regular_file(path) && path.size() > 5 && path.substr(path.size() - 5) == ".gguf")
    w->gguf_ = GgufFile::open(path);
  else
    w->st_ = SafeTensorsModel::open(path);
  if (w->st_)
    w->hf_ = std::make_unique<HfNames>(*w->st_, path,
                                       [raw = w.get()](const std::string& key) { return raw->config_value(key); });
  return w;
}

bool WeightSource::has_tensor(const std::string& name) const {
  if (meta_tensor(name)) return true;
  if (gguf_) return gguf_->find_tensor(name) != nullptr;
  return hf_->tensor(name) != nullptr || st_->find(name) != nullptr;
}

std::optional<std::vector<float>> WeightSource::meta_tensor(const std::string& name) const {
  static const std::string kPrefix = "meta:";
  const HfTensor* renamed = hf_ ? hf_->tensor(name) : nullptr;
  if (renamed && !renamed->meta_list.empty()) return meta_tensor(kPrefix + renamed->meta_list);
  if (name.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string key = name.substr(kPrefix.size());
  std::vector<float> out;
  for (int64_t i = 0;; ++i) {
    std::optional<ExprValue> v = meta_item(key, i);
    if (!v) break;
    const double* d = std::get_if<double>(&*v);
    if (!d) return std::nullopt;
    out.push_back(static_cast<float>(*d));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::vector<int64_t> WeightSource::tensor_shape(const std::string& name) const {
  if (!has_tensor(name)) throw error_at(path_, "no tensor named '" + name + "'");
  if (auto values = meta_tensor(name)) return {static_cast<int64_t>(values->size())};
  if (gguf_) return gguf_->find_tensor(name)->shape;
  const HfTensor* renamed = hf_->tensor(name);
  if (!renamed) return st_->find(name)->shape;
  if (renamed->stacked) return shape(stacked_parts(*renamed));
  std::vector<int64_t> one = st_->find(renamed->parts[0])->shape;
  if (renamed->squeeze && one.size() > 1 && one[0] == 1) one.erase(one.begin());
  return one;
}

namespace {

std::vector<int64_t> cat1_shape(const WeightSource& w, const WeightExpr& e);

std::vector<int64_t> expr_shape(const WeightSource& w, const WeightExpr& e) {
  if (e.fn.empty()) return w.tensor_shape(e.name);
  if (is_packing(e.fn)) return expr_shape(w, e.args[0]);
  if (e.fn == "rows" || e.fn == "cols") {
    auto s = expr_shape(w, e.args[0]);
    size_t axis = e.fn == "rows" ? 0 : 1;
    if (s.size() == 1 && axis == 0) s.push_back(1);  // a bias: rows of one value
    if (s.size() != 2 || e.size <= 0 || e.begin > s[axis] || e.size > s[axis] - e.begin)
      throw error_at(w.path(),
                     e.fn + "() outside its 2-d tensor's " + std::to_string(s.size() == 2 ? s[axis] : 0) + " " + e.fn);
    s[axis] = e.size;
    if (expr_shape(w, e.args[0]).size() == 1) s.pop_back();
    return s;
  }
  if (e.fn == "T") {
    auto s = expr_shape(w, e.args[0]);
    if (s.size() != 2) throw error_at(w.path(), "T() needs a 2-d tensor");
    return {s[1], s[0]};
  }
  if (e.fn == "flat") {  // a convolution's kernel [N, C, H, W] as the linear weight [N, C·H·W]
    auto s = expr_shape(w, e.args[0]);
    if (s.size() < 2) throw error_at(w.path(), "flat() needs a tensor of rank 2 or more");
    return {s[0], std::accumulate(s.begin() + 1, s.end(), int64_t{1}, std::multiplies<>())};
  }
  if (e.fn == "stack") {  // experts' weights, one per expert, as [E, ...]: cat()'s bytes
    std::vector<int64_t> one = expr_shape(w, e.args[0]);
    for (const auto& a : e.args)
      if (expr_shape(w, a) != one) throw error_at(w.path(), "stack() of tensors whose shapes differ");
    one.insert(one.begin(), static_cast<int64_t>(e.args.size()));
    return one;
  }
  if (e.fn == "cat1") return cat1_shape(w, e);
  std::vector<int64_t> out = expr_shape(w, e.args[0]);
  for (size_t i = 1; i < e.args.size(); ++i) {
    auto s = expr_shape(w, e.args[i]);
    if (s.size() != out.size() || !std::equal(s.begin() + 1, s.end(), out.begin() + 1))
      throw error_at(w.path(), "cat() of tensors whose trailing dims differ");
    out[0] += s[0];
  }
  return out;
}

// cat1(a,b,...) joins stacked weights [E, N_i, ...] along axis 1: per leading index, a's
// rows, then b's (the experts' gate and up projections as one [E, N_a + N_b, K]).
std::vector<int64_t> cat1_shape(const WeightSource& w, const WeightExpr& e) {
  std::vector<int64_t> out = expr_shape(w, e.args[0]);
  if (out.size() < 3) throw error_at(w.path(), "cat1() joins stacked tensors of rank 3 or more");
  for (size_t i = 1; i < e.args.size(); ++i) {
    auto s = expr_shape(w, e.args[i]);
    if (s.size() != out.size() || s[0] != out[0] || !std::equal(s.begin() + 2, s.end(), out.begin() + 2))
      throw error_at(w.path(), "cat1() of tensors that are not stacked alike (all dims but the second agree)");
    out[1] += s[1];
  }
  return out;
}

// Per leading index i, each part's i-th chunk in turn: cat1()'s values, or its bytes.
template <class T>
std::vector<T> interleave_chunks(const std::vector<std::vector<T>>& parts, int64_t leading) {
  std::vector<T> out;
  size_t total = 0;
  for (const auto& p : parts) total += p.size();
  out.reserve(total);
  for (int64_t i = 0; i < leading; ++i)
    for (const auto& p : parts) {
      auto chunk = static_cast<int64_t>(p.size()) / leading;
      out.insert(out.end(), p.begin() + i * chunk, p.begin() + (i + 1) * chunk);
    }
  return out;
}

int64_t row_len(const std::vector<int64_t>& shape) {
  return shape.size() < 2 ? (shape.empty() ? 1 : shape[0]) : shape.back();
}

// Elements [from, from + len) of each of the `rows` rows of `in`, rows `stride` apart:
// cols() of f32 values, and of a file's blocks as bytes.
template <class T>
std::vector<T> columns(const std::vector<T>& in, int64_t rows, int64_t stride, int64_t from, int64_t len) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows * len));
  for (int64_t r = 0; r < rows; ++r)
    out.insert(out.end(), in.begin() + r * stride + from, in.begin() + r * stride + from + len);
  return out;
}

}  // namespace

std::vector<int64_t> WeightSource::shape(const std::string& expr) const {
  return expr_shape(*this, parse_weight_expr(expr));
}

std::vector<float> WeightSource::to_f32(const std::string& name) const {
  if (auto values = meta_tensor(name)) return *values;
  if (gguf_) {
    const GgufTensor* t = gguf_->find_tensor(name);
    if (!t) throw error_at(path_, "no tensor named '" + name + "'");
    return gguf_->to_f32(*t);
  }
  if (hf_->tensor(name)) return renamed_to_f32(name);
  return st_->to_f32(name);
}

namespace {

std::vector<float> eval_f32(const WeightSource& w, const WeightExpr& e,
                            const std::function<std::vector<float>(const std::string&)>& load) {
  if (e.fn.empty()) return load(e.name);
  if (is_packing(e.fn)) throw error_at(w.path(), e.fn + "() must be the outermost weight transform");
  if (e.fn == "T") {
    auto s = expr_shape(w, e.args[0]);
    std::vector<float> in = eval_f32(w, e.args[0], load), out(in.size());
    for (int64_t r = 0; r < s[0]; ++r)
      for (int64_t c = 0; c < s[1]; ++c) out[c * s[0] + r] = in[r * s[1] + c];
    return out;
  }
  if (e.fn == "flat") return eval_f32(w, e.args[0], load);  // the same values, row-major
  if (e.fn == "rows" || e.fn == "cols") {
    auto s = expr_shape(w, e.args[0]);
    if (s.size() == 1) s.push_back(1);
    std::vector<float> in = eval_f32(w, e.args[0], load);
    if (e.fn == "rows") return {in.begin() + e.begin * s[1], in.begin() + (e.begin + e.size) * s[1]};
    return columns(in, s[0], s[1], e.begin, e.size);
  }
  if (e.fn == "cat1") {
    std::vector<std::vector<float>> parts;
    for (const auto& a : e.args) parts.push_back(eval_f32(w, a, load));
    return interleave_chunks(parts, expr_shape(w, e)[0]);
  }
  // cat() and stack(): reserved whole, as growing by doubling copied a layer's stacked
  // experts (hundreds of MB) several times over, each time into freshly faulted pages.
  const auto s = expr_shape(w, e);
  auto out = huge_page_reserved<float>(
      static_cast<size_t>(std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<>())));
  for (const auto& a : e.args) {
    auto part = eval_f32(w, a, load);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// Whether a rows() or cols() of `e` takes whole blocks of `dtype`.
bool selects_whole_blocks(const WeightExpr& e, ir::DType dtype) {
  int64_t block = ir::dtype_block_elems(dtype);
  return e.fn == "rows" || (e.fn == "cols" && e.begin % block == 0 && e.size % block == 0);
}

// The bytes of `e` in the block type the file stores its tensors in: whole rows (cat,
// cat1, rows) and whole blocks of columns (cols) of tensors stored as `dtype`, copied as
// they are. Transposing or a tensor stored otherwise has no such bytes.
std::vector<uint8_t> eval_blocks(const WeightSource& w, const WeightExpr& e, ir::DType dtype) {
  auto s = expr_shape(w, e);
  int64_t row_bytes = ir::dtype_row_bytes(dtype, s.back());
  if (e.fn.empty()) {
    if (w.stored_dtype(e.name) != dtype)
      throw error_at(w.path(), "'" + e.name + "' is not stored as " + std::string(ir::dtype_name(dtype)) +
                                   ", whose blocks a " + std::string(ir::dtype_name(dtype)) + " weight keeps");
    const GgufTensor* t = w.gguf()->find_tensor(e.name);
    const uint8_t* p = w.gguf()->data(*t);
    return {p, p + t->nbytes};
  }
  if (e.fn == "cat" || e.fn == "stack") {
    std::vector<uint8_t> out;
    for (const auto& a : e.args) {
      auto part = eval_blocks(w, a, dtype);
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  if (e.fn == "cat1") {
    std::vector<std::vector<uint8_t>> parts;
    for (const auto& a : e.args) parts.push_back(eval_blocks(w, a, dtype));
    return interleave_chunks(parts, s[0]);
  }
  if (!selects_whole_blocks(e, dtype))
    throw error_at(w.path(), e.fn + "() of " + std::string(ir::dtype_name(dtype)) +
                                 " blocks: only cat(), cat1(), stack(), "
                                 "rows() and cols() of whole blocks keep a file's blocks");
  std::vector<uint8_t> in = eval_blocks(w, e.args[0], dtype);
  if (e.fn == "rows") return {in.begin() + e.begin * row_bytes, in.begin() + (e.begin + e.size) * row_bytes};
  int64_t in_row = ir::dtype_row_bytes(dtype, expr_shape(w, e.args[0]).back());
  return columns(in, s[0], in_row, ir::dtype_row_bytes(dtype, e.begin), row_bytes);
}

// Whether every tensor `e` reads is stored in `dtype`'s blocks and `e` only joins and
// selects whole blocks of them: what eval_blocks copies as stored.
bool reads_whole_blocks(const WeightSource& w, const WeightExpr& e, ir::DType dtype) {
  if (e.fn.empty()) return w.stored_dtype(e.name) == dtype;
  if (e.fn == "cat" || e.fn == "cat1" || e.fn == "stack")
    return std::all_of(e.args.begin(), e.args.end(),
                       [&](const WeightExpr& a) { return reads_whole_blocks(w, a, dtype); });
  return selects_whole_blocks(e, dtype) && reads_whole_blocks(w, e.args[0], dtype);
}

}  // namespace

std::vector<float> WeightSource::renamed_to_f32(const std::string& name) const {
  const HfTensor& t = *hf_->tensor(name);
  std::vector<float> out;
  if (t.stacked)
    out = eval_f32(*this, parse_weight_expr(stacked_parts(t)), [this](const std::string& n) { return st_->to_f32(n); });
  else
    out = st_->to_f32(t.parts[0]);
  if (t.change == HfTensor::Change::plus_one)
    for (float& v : out) v += 1.0f;
  if (t.change == HfTensor::Change::rope_pairs) {
    auto s = tensor_shape(name);
    if (s.empty() || s.size() > 2) throw error_at(path_, "'" + t.parts[0] + "' is no matrix or bias of heads' rows");
    const int64_t cols = s.size() == 2 ? s[1] : 1;
    try {
      out = rope_pairs(out, s[0], cols, t.heads);
    } catch (const Error& e) {
      throw error_at(path_, "'" + t.parts[0] + "': " + e.what());
    }
  }
  return out;
}

std::optional<ir::DType> WeightSource::stored_dtype(const std::string& name) const {
  const GgufTensor* t = gguf_ ? gguf_->find_tensor(name) : nullptr;
  if (!t || t->shape.size() < 2) return std::nullopt;
  return ir::dtype_of_gguf_blocks(uint32_t(t->type));
}

std::vector<uint8_t> WeightSource::materialize(const std::string& expr, ir::DType dtype) const {
  WeightExpr e = parse_weight_expr(expr);
  bool packed = is_packing(e.fn);
  if (packed != ir::is_quantized(dtype) || (packed && e.fn != ir::dtype_name(dtype)))
    throw error_at(path_, "weight '" + expr + "' requested as " + std::string(ir::dtype_name(dtype)));
  const WeightExpr& body = packed ? e.args[0] : e;
  const int64_t cols = row_len(expr_shape(*this, body));
  const ir::DType base = ir::panel_base(dtype);
  // A file's own blocks of the type asked for are copied, not decoded and rounded again:
  // the same bytes (q8_0 of q8_0 values is itself), several times faster for a Q8_0 file.
  // The types only a file makes are always copied (eval_blocks names what stops it).
  if (ir::is_kept_from_source(base) || reads_whole_blocks(*this, body, base)) {
    // A tensor of the file interleaves straight from its mapping, not from a copy of it.
    std::vector<uint8_t> copied;
    std::span<const uint8_t> blocks;
    if (base != dtype && body.fn.empty() && stored_dtype(body.name) == base) {
      const GgufTensor* t = gguf_->find_tensor(body.name);
      blocks = {gguf_->data(*t), static_cast<size_t>(t->nbytes)};
    } else {
      copied = eval_blocks(*this, body, base);
      if (base == dtype) return copied;
      blocks = copied;
    }
    return interleave_panels(blocks, dtype, static_cast<int64_t>(blocks.size()) / ir::dtype_row_bytes(base, cols),
                             cols);
  }
  std::vector<float> data = eval_f32(*this, body, [this](const std::string& n) { return to_f32(n); });
  return pack_rows(data.data(), static_cast<int64_t>(data.size()) / cols, cols, dtype);
}

const json::Value* WeightSource::config_entry(const std::string& key) const {
  const auto& top = st_->config();
  auto it = top.find(key);
  const json::Value* v = it == top.end() ? nullptr : it->second;
  for (size_t dot = key.find('.'); !v && dot != std::string::npos; dot = std::string::npos) {
    auto outer = top.find(key.substr(0, dot));
    if (outer != top.end() && outer->second->is_object()) v = outer->second->find(key.substr(dot + 1));
  }
  return v && !v->is_null() ? v : nullptr;
}

std::optional<ExprValue> WeightSource::config_value(const std::string& key) const {
  const json::Value* v = config_entry(key);
  if (!v) return std::nullopt;
  return json_to_expr(*v);
}

bool WeightSource::has_meta(const std::string& key) const {
  if (gguf_) return gguf_->find(key) != nullptr;
  return hf_->meta(key) || config_entry(key) != nullptr;
}

std::optional<ExprValue> WeightSource::meta(const std::string& key) const {
  if (gguf_) {
    const MetaValue* m = gguf_->find(key);
    if (!m) return std::nullopt;
    return gguf_to_expr(*m);
  }
  if (auto renamed = hf_->meta(key)) return renamed;
  // Hugging Face writes an unset option as null ("sliding_window": null, "rope_scaling":
  // null): the same as leaving it out, so meta()'s default applies.
  return config_value(key);
}

std::optional<ExprValue> WeightSource::meta_item(const std::string& key, int64_t index) const {
  if (index < 0) return std::nullopt;
  const auto i = static_cast<size_t>(index);
  if (gguf_) {
    const MetaValue* m = gguf_->find(key);
    const auto* items = m ? std::get_if<MetaArray>(&m->v) : nullptr;
    if (!items || i >= items->size()) return std::nullopt;
    return gguf_to_expr((*items)[i]);
  }
  const json::Value* v = config_entry(key);
  if (!v || !v->is_array() || i >= v->as_array().size()) return std::nullopt;
  return json_to_expr(v->as_array()[i]);
}

}  // namespace lmc::models
