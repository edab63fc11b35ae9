// kv-cache-type: chooses the dtype each KV cache is stored in: f16 (default), q8_0 or
// f32, keys and values alike (type) or each their own (type-k, type-v), as llama.cpp's
// --cache-type-k/-v do.
//
// What: retypes every cache argument that a kv_write writes (and the kv_write's result,
// the same storage) from f32 to the chosen dtype; kv_write then rounds each new row to it
// and attention reads it directly. Why: at long contexts a decode step's attention reads
// the whole cache, and the cache is a large part of the memory a run needs: f16 halves
// both, q8_0 (per 32 values an f16 scale and 32 int8, as GGUF) takes 34/128 of f32's bytes,
// at the cost of one rounding of each key and value. Pattern: the operand 0 of each op
// that writes in place (kv_write), a graph argument, followed to every op reading it,
// into fusion bodies too. Guard: every reader declares the operand a cache (op trait
// cache_operands) and its shape rule accepts the dtype; for q8_0 that is whole blocks of
// 32 per head (attention's head_dim), else the cache is kept f16. Each decision is a
// remark. A cache is one of keys or of values by the operand that reads it (op trait
// value_cache_operands); one read as both takes `type`. Result: `%k0_in: f16[C,256]`, `%k0 = kv_write %k0_in, ... :
// f16[C,256]`.
#include <map>
#include <set>

#include "ir/op_registry.h"
#include "passes/api/pattern.h"
#include "passes/transforms/builtin_passes.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

// The values sharing one cache's storage (the argument, the kv_write's result, fusion body
// arguments bound to them) and the ops reading them; `refusal` says why the cache must
// keep its dtype when an op reads it as something other than a cache.
struct CacheUses {
  std::vector<ir::Value*> values;
  std::vector<ir::Op*> readers;
  std::string refusal;
  bool keys = false, values_of_attention = false;  // read as a cache of keys, of values
};

void collect(const ir::Graph& g, ir::Value* v, CacheUses& uses) {
  visit_reads(
      g, v, [&](ir::Value* bound) { uses.values.push_back(bound); },
      [&](const ir::Graph& scope, ir::Op* user, size_t i) {
        if (!ir::reads_cache(*user, i)) {
          uses.refusal = user->where() + " reads it as operand " + std::to_string(i) + ", not as a cache";
          return;
        }
        uses.readers.push_back(user);
        if (ir::writes_in_place(*user) && i == 0)
          collect(scope, user->result(), uses);
        else if (ir::reads_value_cache(*user, i))
          uses.values_of_attention = true;
        else
          uses.keys = true;
      });
}

// Retypes the cache to `dtype` if every reader's shape rule accepts it; else leaves it
// as it was and returns the first rule's complaint.
std::string try_retype(const CacheUses& uses, ir::DType dtype) {
  ir::DType before = uses.values.front()->type().dtype;
  retype(uses.values, dtype);
  for (const ir::Op* reader : uses.readers) {
    try {
      if (auto infer = ir::find_op(reader->kind())->infer) infer(*reader);
    } catch (const Error& e) {
      retype(uses.values, before);
      return reader->kind() + ": " + e.what();
    }
  }
  return "";
}

class KvCacheType : public Pass {
 public:
  std::string summary() const override { return "store the KV caches as f16, q8_0 or f32"; }

  static PassOption cache_option(const std::string& name, const std::string& of, const std::string& flag) {
    PassOption o;
    o.name = name;
    o.kind = OptionKind::Choice;
    o.help = "dtype of the caches of " + of + " (default: type)";
    o.choices = {"f16", "q8_0", "f32"};
    o.flag = flag;
    return o;
  }

  std::vector<PassOption> options() const override {
    PassOption type;
    type.name = "type";
    type.kind = OptionKind::Choice;
    type.help = "dtype of the KV caches: f16 (half the bytes of f32), q8_0 (34/128) or f32";
    type.default_value = "f16";
    type.choices = {"f16", "q8_0", "f32"};
    type.flag = "cache-type";
    return {type, cache_option("type-k", "keys", "cache-type-k"), cache_option("type-v", "values", "cache-type-v")};
  }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    const ir::DType both = *ir::parse_dtype(*option("type"));
    // type-k and type-v have no default of their own: unset, they are `type`.
    auto dtype_of = [&](const char* name) { return option(name) ? *ir::parse_dtype(*option(name)) : both; };
    const ir::DType keys = dtype_of("type-k"), values = dtype_of("type-v");
    std::set<const ir::Value*> seen;
    std::map<std::string, int> retyped;
    int kept = 0;
    for (const auto& op : g.ops()) {
      if (!ir::writes_in_place(*op)) continue;
      ir::Value* cache = op->operand(0);
      if (cache->def() || !seen.insert(cache).second) continue;
      CacheUses uses;
      collect(g, cache, uses);
      const ir::DType want = uses.keys == uses.values_of_attention ? both : uses.keys ? keys : values;
      if (cache->type().dtype == want) continue;
      ir::DType before = cache->type().dtype, after = decide(uses, cache, want, ctx);
      if (after == before)
        ++kept;
      else
        ++retyped[std::string(ir::dtype_name(after))];
    }
    std::string stats = "retyped KV caches:";
    for (const auto& [dtype, n] : retyped) stats += " " + std::to_string(n) + " " + dtype + ",";
    return {!retyped.empty(), {stats + " kept " + std::to_string(kept)}};
  }

 private:
  // Retypes one cache to `want`, or to f16 when q8_0 does not fit its readers; returns
  // the dtype it has afterwards.
  ir::DType decide(const CacheUses& uses, ir::Value* cache, ir::DType want, PassContext& ctx) const {
    std::string from = cache->type().str();
    std::string why = uses.refusal.empty() ? try_retype(uses, want) : uses.refusal;
    if (why.empty()) {
      ctx.remark(name(), cache->name(), from + " -> " + std::string(ir::dtype_name(want)));
      return want;
    }
    if (want == ir::DType::q8_0 && uses.refusal.empty() && try_retype(uses, ir::DType::f16).empty()) {
      ctx.remark(name(), cache->name(), from + " -> f16, not q8_0: " + why);
      return ir::DType::f16;
    }
    ctx.remark(name(), cache->name(), from + " stays: " + why, RemarkKind::Missed);
    return cache->type().dtype;
  }
};

}  // namespace

std::unique_ptr<Pass> create_kv_cache_type_pass() { return std::make_unique<KvCacheType>(); }

}  // namespace lmc::passes
