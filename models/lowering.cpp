#include "models/lowering.h"
#include "models/model_chat.h"

#include <cmath>
#include <filesystem>

#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/verifier.h"
#include "support/cancellation.h"
#include "support/error.h"
#include "support/untrusted_text.h"

namespace lmc::models {

namespace {

class Lowerer {
 public:
  Lowerer(const ModelDef& def, const WeightSource& w, ir::Graph& g, ir::ModelInfo& info,
          std::map<std::string, std::string>& pass_options)
      : def_(def), w_(w), g_(g), b_(g), info_(info), pass_options_(pass_options) {}

  void run(int64_t context_override) {
    bind_host_functions();
    for (const auto& [name, e] : def_.params) env_.vars[name] = hyper_parameter(name, e);
    info_.n_layers = int_param("n_layers", def_.path);
    // The deepest real models have a few hundred layers; a hostile count would build
    // a graph until memory runs out.
    constexpr int64_t kMaxLayers = 10000;
    if (info_.n_layers < 0 || info_.n_layers > kMaxLayers)
      throw error_at(def_.path,
                     "n_layers is " + std::to_string(info_.n_layers) + ", outside 0.." + std::to_string(kMaxLayers));
    info_.d_model = env_.vars.count("d_model") ? int_param("d_model", def_.path) : 0;
    info_.context = context_override > 0 ? context_override : as_int(eval(def_.context), def_.context.where);
    info_.step_tokens = std::min(as_int(eval(def_.step_tokens), def_.step_tokens.where), info_.context);
    if (info_.context <= 0 || info_.step_tokens <= 0) throw error_at(def_.context.where, "context must be positive");
    for (const auto& [name, e] : def_.params) info_.hyper.emplace_back(name, expr_to_string(env_.vars[name]));
    for (const auto& [flag, e] : def_.passes) pass_options_[flag] = pass_option_value(e);

    for (const auto& st : def_.prologue) lower(st, "");
    for (int64_t i = 0; i < info_.n_layers; ++i) {
      check_cancelled();
      env_.vars["i"] = static_cast<double>(i);
      for (const auto& [name, e] : def_.block_params) env_.vars[name] = hyper_parameter(name, e);
      for (const auto& st : def_.block) lower(st, "_" + std::to_string(i));
    }
    env_.vars.erase("i");
    for (const auto& st : def_.epilogue) lower(st, "");
    std::vector<ir::Value*> outs;
    for (const auto& o : def_.outputs) outs.push_back(lookup(o, def_.path));
    outs.insert(outs.end(), cache_outputs_.begin(), cache_outputs_.end());
    g_.set_outputs(outs);
  }

 private:
  const ModelDef& def_;
  const WeightSource& w_;
  ir::Graph& g_;
  ir::Builder b_;
  ir::ModelInfo& info_;
  std::map<std::string, std::string>& pass_options_;
  ExprEnv env_;
  std::map<std::string, ir::Value*> values_;  // template variable -> current value
  std::map<std::string, ir::Value*> params_;  // weight expression -> param value
  std::vector<ir::Value*> cache_outputs_;

  ExprValue eval(const Located& e) { return eval_expr(e.text, env_, e.where); }

  // A parameter read straight from the weights' metadata (meta("...")) is not checked by
  // the expression's arithmetic, and a NaN or inf there would reach an attribute or a shape.
  ExprValue hyper_parameter(const std::string& name, const Located& e) {
    ExprValue v = eval(e);
    std::vector<double> numbers;
    if (const double* d = std::get_if<double>(&v)) numbers = {*d};
    if (const auto* l = std::get_if<std::vector<double>>(&v)) numbers = *l;
    for (double d : numbers)
      if (!std::isfinite(d))
        throw error_at(e.where, "parameter '" + name + "' is " + expr_to_string(d) + " (" + excerpt(e.text) + ")");
    return v;
  }

  // An expression over the parameters (d_model, 2 * d_model), or a bare word that names no
  // parameter (measured), taken as written.
  std::string pass_option_value(const Located& e) {
    bool word = !e.text.empty() && std::isalpha(static_cast<unsigned char>(e.text[0]));
    for (char c : e.text) word = word && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    if (word && !env_.vars.count(e.text)) return e.text;
    return expr_to_string(eval(e));
  }

  static int64_t as_int(const ExprValue& v, const std::string& where) {
    const double* d = std::get_if<double>(&v);
    // Past 2^53 a double no longer holds every integer, and past 2^63 the cast is undefined.
    constexpr double kMaxExact = 9007199254740992.0;
    if (!d || std::trunc(*d) != *d || std::fabs(*d) > kMaxExact)
      throw error_at(where, "expected an integer, got " + excerpt(expr_to_string(v)));
    return static_cast<int64_t>(*d);
  }
  int64_t int_param(const std::string& name, const std::string& where) {
    auto it = env_.vars.find(name);
    if (it == env_.vars.end()) throw error_at(where, "the definition must set parameter '" + name + "'");
    return as_int(it->second, where + " (parameter " + name + ")");
  }

  void bind_host_functions() {
    env_.functions["meta"] = [this](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.empty() || a.size() > 2 || !std::holds_alternative<std::string>(a[0]))
        throw Error("meta(\"key\"[, default]) takes a key string");
      auto v = w_.meta(std::get<std::string>(a[0]));
      if (v) return *v;
      if (a.size() == 2) return a[1];
      throw Error("the weights file " + w_.path() + " has no metadata '" + std::get<std::string>(a[0]) + "'");
    };
    env_.functions["has_meta"] = [this](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.size() != 1 || !std::holds_alternative<std::string>(a[0])) throw Error("has_meta(\"key\")");
      return w_.has_meta(std::get<std::string>(a[0])) ? 1.0 : 0.0;
    };
    // meta_item("layer_types", i, "sliding_attention"): a per-layer list's entry for layer i.
    env_.functions["meta_item"] = [this](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.size() < 2 || a.size() > 3 || !std::holds_alternative<std::string>(a[0]))
        throw Error("meta_item(\"key\", index[, default]) takes a key string");
      const auto& key = std::get<std::string>(a[0]);
      auto v = w_.meta_item(key, as_int(a[1], "meta_item(\"" + key + "\", index)"));
      if (v) return *v;
      if (a.size() == 3) return a[2];
      throw Error("the weights file " + w_.path() + " has no item " + expr_to_string(a[1]) + " of metadata '" + key +
                  "'");
    };
    env_.functions["has_weight"] = [this](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.size() != 1 || !std::holds_alternative<std::string>(a[0])) throw Error("has_weight(\"name\")");
      return w_.has_tensor(std::get<std::string>(a[0])) ? 1.0 : 0.0;
    };
    // A definition states what it does not implement (a rope_scaling, a partial rotary
    // factor) so such weights stop with its message instead of running wrongly.
    env_.functions["require"] = [this](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.size() != 2 || !std::holds_alternative<double>(a[0]) || !std::holds_alternative<std::string>(a[1]))
        throw Error("require(condition, \"message\")");
      if (std::get<double>(a[0]) == 0) throw Error("unsupported by " + w_.path() + ": " + std::get<std::string>(a[1]));
      return 1.0;
    };
    // experts("...experts.*.gate_proj.weight", n): the n tensors, * each expert's index,
    // stacked into one weight [n, ...] (a folder's experts, which a GGUF stores stacked).
    env_.functions["experts"] = [](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.size() != 2 || !std::holds_alternative<std::string>(a[0]) || !std::holds_alternative<double>(a[1]))
        throw Error("experts(\"name with *\", count)");
      const std::string& pattern = std::get<std::string>(a[0]);
      size_t star = pattern.find('*');
      int64_t n = as_int(a[1], "experts() count");
      if (star == std::string::npos || n <= 0) throw Error("experts() needs a name with * and a count > 0");
      std::string out = "stack(";
      for (int64_t e = 0; e < n; ++e)
        out += (e ? "," : "") + pattern.substr(0, star) + std::to_string(e) + pattern.substr(star + 1);
      return out + ")";
    };
    env_.functions["shape"] = [this](const std::vector<ExprValue>& a) -> ExprValue {
      if (a.size() != 2 || !std::holds_alternative<std::string>(a[0]) || !std::holds_alternative<double>(a[1]))
        throw Error("shape(\"weight\", dim)");
      auto s = w_.shape(std::get<std::string>(a[0]));
      double d = std::get<double>(a[1]);
      if (!(d >= 0 && d < static_cast<double>(s.size())) || std::trunc(d) != d)
        throw Error("shape(): dim out of range");
      return static_cast<double>(s[static_cast<size_t>(d)]);
    };
  }

  ir::Value* lookup(const std::string& name, const std::string& where) {
    auto it = values_.find(name);
    if (it != values_.end()) return it->second;
    if (ir::Value* v = input(name)) return v;
    throw error_at(where, "value '" + excerpt(name) + "' is not defined (inputs: tokens, positions, seq, key_ends" +
                              declared_inputs() + ")");
  }

  std::string declared_inputs() const {
    std::string out;
    for (const auto& in : def_.inputs) out += ", " + in.first;
    return out;
  }

  // The graph inputs exist once something reads them.
  ir::Value* input(const std::string& name) {
    auto declared =
        std::find_if(def_.inputs.begin(), def_.inputs.end(), [&](const auto& in) { return in.first == name; });
    if (declared != def_.inputs.end()) return values_[name] = g_.add_arg(name, declared_type(declared->second));
    if (name != "tokens" && name != "positions" && name != "seq" && name != "key_ends") return nullptr;
    values_[name] = g_.add_arg(name, ir::Type{ir::DType::i32, {ir::Dim::symbolic(ir::Sym::T)}});
    return values_[name];
  }

  // f32 of the dims the definition declares: T, or a positive integer expression.
  ir::Type declared_type(const std::vector<Located>& dims) {
    ir::Type t{ir::DType::f32, {}};
    for (const Located& d : dims) {
      if (d.text == "T") {
        t.dims.push_back(ir::Dim::symbolic(ir::Sym::T));
        continue;
      }
      int64_t n = as_int(eval(d), d.where);
      if (n <= 0) throw error_at(d.where, "an input's dim must be positive, is " + std::to_string(n));
      t.dims.push_back(ir::Dim::of(n));
    }
    return t;
  }

  ir::Value* weight(const std::string& expr_text, const std::string& where) {
    std::string name = interpolate_weight(expr_text, where);
    if (auto it = params_.find(name); it != params_.end()) return it->second;
    std::vector<int64_t> shape;
    try {
      shape = w_.shape(name);
    } catch (const Error& e) {
      throw error_at(where, "weight '" + excerpt(name) + "': " + e.what());
    }
    ir::Type t{ir::DType::f32, {}};
    for (int64_t d : shape) t.dims.push_back(ir::Dim::of(d));
    ir::Value* p = b_.param(name, t, value_name_for(name));
    if (auto stored = w_.stored_dtype(name)) p->def()->attrs()["stored"] = *stored;
    params_[name] = p;
    return p;
  }

  // "T(h.0.attn.c_attn.weight)" -> "h.0.attn.c_attn": readable names in dumps.
  static std::string value_name_for(const std::string& weight) {
    std::string n = weight.substr(weight.find_last_of('(') + 1);
    n = n.substr(0, n.find(')'));
    if (n.size() > 7 && n.substr(n.size() - 7) == ".weight") n.resize(n.size() - 7);
    for (char& c : n)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.') c = '_';
    return n.empty() ? "w" : n;
  }

  std::string interpolate_weight(const std::string& text, const std::string& where) {
    ExprValue v = eval_expr(text, env_, where);
    if (!std::holds_alternative<std::string>(v)) throw error_at(where, "@ must be followed by a weight name string");
    return std::get<std::string>(v);
  }

  ir::Attr attr_value(const ir::AttrSpec& spec, const Statement::Arg& a, const std::string& where) {
    ExprValue v = eval_expr(a.text, env_, where);
    std::string what = "attribute '" + a.key + "'";
    switch (spec.kind) {
      case ir::AttrKind::Int:
        return as_int(v, where + " (" + what + ")");
      case ir::AttrKind::Float:
        if (!std::holds_alternative<double>(v)) throw error_at(where, what + " must be a number");
        return std::get<double>(v);
      case ir::AttrKind::String:
        if (!std::holds_alternative<std::string>(v)) throw error_at(where, what + " must be a string");
        return std::get<std::string>(v);
      case ir::AttrKind::IntList: {
        if (!std::holds_alternative<std::vector<double>>(v)) throw error_at(where, what + " must be a list");
        std::vector<int64_t> out;
        for (double d : std::get<std::vector<double>>(v)) out.push_back(as_int(d, where));
        return out;
      }
      case ir::AttrKind::DType: {
        auto dt = std::holds_alternative<std::string>(v) ? ir::parse_dtype(std::get<std::string>(v)) : std::nullopt;
        if (!dt) throw error_at(where, what + " must name a dtype");
        return *dt;
      }
    }
    return int64_t{0};
  }

  void lower(const Statement& st, const std::string& suffix) {
    std::vector<ir::Value*> operands;
    std::vector<std::pair<std::string, std::string>> attr_args;
    for (const auto& a : st.args) {
      if (a.kind == Statement::Arg::Value) operands.push_back(lookup(a.text, st.where));
      if (a.kind == Statement::Arg::Weight) operands.push_back(weight(a.text, st.where));
      if (a.kind == Statement::Arg::OptionalWeight && w_.has_tensor(interpolate_weight(a.text, st.where)))
        operands.push_back(weight(a.text, st.where));
      if (a.kind == Statement::Arg::Attr) attr_args.emplace_back(a.key, a.text);
    }
    if (st.op == "kv_append") return lower_kv_append(st, operands, suffix);
    const ir::OpDef* def = ir::find_op(st.op);
    if (!def || st.op == "param") throw error_at(st.where, "unknown op '" + excerpt(st.op) + "'");
    ir::AttrMap attrs;
    for (const auto& a : st.args) {
      if (a.kind != Statement::Arg::Attr) continue;
      auto spec = std::find_if(def->attrs.begin(), def->attrs.end(), [&](const auto& s) { return a.key == s.name; });
      if (spec == def->attrs.end())
        throw error_at(st.where, "op '" + st.op + "' has no attribute '" + excerpt(a.key) + "'");
      attrs[a.key] = attr_value(*spec, a, st.where);
    }
    for (const auto& spec : def->attrs)
      if (spec.required && !attrs.count(spec.name))
        throw error_at(st.where, "op '" + st.op + "' needs attribute '" + std::string(spec.name) + "'");
    std::vector<std::string> names;
    for (const auto& r : st.results) names.push_back(r + suffix);
    std::vector<ir::Value*> results;
    try {
      results = b_.create(st.op, operands, attrs, names);
    } catch (const Error& e) {
      throw error_at(st.where, e.what());
    }
    if (results.size() != st.results.size())
      throw error_at(st.where, "op '" + st.op + "' gives " + std::to_string(results.size()) + " results, " +
                                   std::to_string(st.results.size()) + " named");
    for (size_t i = 0; i < results.size(); ++i) values_[st.results[i]] = results[i];
  }

  // r = kv_append(x, window = w): a cache argument of C rows, the context the model is run
  // with, written with kv_write; the updated cache is also a graph output. A sliding
  // window's (window = w) is paged through the window's table, which holds only the pages
  // of the last w positions of each sequence (runtime/kv_cache.h).
  void lower_kv_append(const Statement& st, const std::vector<ir::Value*>& operands, const std::string& suffix) {
    if (operands.size() != 1 || st.results.size() != 1) throw error_at(st.where, "kv_append takes one value");
    int64_t window = 0;
    for (const auto& a : st.args)
      if (a.kind == Statement::Arg::Attr) {
        if (a.key != "window") throw error_at(st.where, "kv_append has no attribute '" + excerpt(a.key) + "'");
        window = as_int(eval_expr(a.text, env_, st.where), st.where);
      }
    ir::Dim rows = ir::Dim::symbolic(ir::Sym::C);
    ir::Value* x = operands[0];
    if (x->type().rank() != 2)
      throw error_at(st.where, "kv_append takes rows of keys or values (rank 2), got " + x->type().str());
    ir::Type t{ir::DType::f32, {rows, x->type().dims.back()}};
    // The row ids first, so the graph's arguments read tokens, positions, seq, caches.
    ir::Value* positions = lookup("positions", st.where);
    ir::Value* seq = lookup("seq", st.where);
    ir::Value* cache = g_.add_arg(st.results[0] + suffix + "_in", t);
    ir::Value* written;
    try {
      ir::AttrMap attrs;
      if (window > 0) attrs["window"] = window;
      written = b_.op("kv_write", {cache, x, positions, seq}, std::move(attrs), st.results[0] + suffix);
    } catch (const Error& e) {
      throw error_at(st.where, e.what());
    }
    values_[st.results[0]] = written;
    cache_outputs_.push_back(written);
  }
};

}  // namespace

LoweredModel lower_model(const std::string& yaml_path, const LowerOptions& opts) {
  LoweredModel m;
  m.def = read_model_def(yaml_path);
  if (!opts.weights.empty()) {
    // A tokenizer shipped inside the weights directory moves with it.
    std::string dir = m.def.weights + "/";
    if (m.def.tokenizer.rfind(dir, 0) == 0)
      m.def.tokenizer = (std::filesystem::path(opts.weights) / m.def.tokenizer.substr(dir.size())).string();
    m.def.weights = opts.weights;
  }
  if (!opts.tokenizer.empty()) m.def.tokenizer = opts.tokenizer;
  if (!opts.name.empty()) m.def.name = opts.name;
  m.weights = WeightSource::open(m.def.weights);
  std::string gname;
  for (char c : m.def.name) gname += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  m.graph = std::make_unique<ir::Graph>(gname);
  m.info.name = m.def.name;
  m.info.weights = m.def.weights;
  Lowerer(m.def, *m.weights, *m.graph, m.info, m.pass_options).run(opts.context);
  m.info.chat = model_chat_format(m.def, *m.weights);
  ir::verify(*m.graph, yaml_path + " (lowered)");
  return m;
}

}  // namespace lmc::models
