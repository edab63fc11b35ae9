// shard: tensor parallelism (Megatron style). The graph is split over `ranks` processes
// and this rank's share is kept: each rank reads about 1/ranks of the weights and does
// 1/ranks of the work, and the ranks add up their partial results with one all_reduce
// after each attention block and each feed-forward block.
//
// Pattern:
//  - attention(q, kv_write(k), kv_write(v)): the heads are split — whole KV groups per
//    rank when there are at least as many KV heads as ranks, else the query heads, each
//    rank keeping the one KV head its queries read (replicated, as Gemma 3 270M's single
//    KV head needs). Backwards from q, k and v the chains (rope, per-head rms_norm,
//    elementwise ops, a bias add) keep only the rank's columns, down to the projections,
//    whose weights keep only the matching rows (column-parallel).
//  - a linear whose input is computed per column from other linears (act(gate) * up):
//    those linears keep a slice of rows, this one the same slice of columns.
//  - the linear after an attention or such a chain (row-parallel) sums its partial
//    result over the ranks: `all_reduce`.
//  - the logits' linear keeps a slice of the vocabulary; `all_gather` joins them. A table
//    it shares with the embedding (tied) is sliced once: the embedding looks up only its
//    rank's rows (zero elsewhere) and an all_reduce adds them. A token embedding's own
//    table (untied, as Phi-3's) is split the same way.
//  - a stacked projection cut into parts (q, k, v = split(linear(x, W) + b) in GPT-2 and
//    Phi-3 definitions) is first unstacked: one linear per part over the part's rows of W
//    (and of a bias), so the heads and columns are planned as above; fuse-qkv and
//    fuse-gate-up stack the rank's parts again.
// Guard: an attention whose heads cannot be split group-aligned is an error naming it; a
// feed-forward chain that reaches something per-row (a norm over the row) stays whole on
// every rank, with a remark; a vocabulary that the ranks do not divide stays whole.
// Result: slice ops on the weights (folded into per-rank params by fold-weights), the
// KV cache arguments as wide as the rank's KV heads, attention attributes of the rank's
// heads, all_reduce / all_gather ops where partial results meet.
#include <map>
#include <set>

#include "ir/builder.h"
#include "ir/op_registry.h"
#include "passes/api/pattern.h"
#include "passes/transforms/builtin_passes.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

// The columns [begin, begin + size) of a value that this rank computes.
struct Cols {
  int64_t begin = 0, size = 0;
  bool operator==(const Cols& o) const { return begin == o.begin && size == o.size; }
};

int64_t width(const ir::Value* v) { return v->type().dims.back().value; }

// A one-row weight: a bias.
bool is_row_weight(const ir::Value* v) { return v->type().rank() == 1 && v->def() && ir::computes_weight(*v->def()); }

// Rank r's share of n units: [r*n/N, (r+1)*n/N), as even as whole units allow.
Cols share(int64_t n, int64_t rank, int64_t ranks, int64_t unit) {
  int64_t units = n / unit;
  int64_t b = rank * units / ranks, e = (rank + 1) * units / ranks;
  return {b * unit, (e - b) * unit};
}

// Where the split of one graph goes: what each value and op becomes on this rank.
struct Plan {
  std::map<ir::Value*, Cols> cols;         // values this rank computes only some columns of
  std::map<ir::Op*, Cols> column_linears;  // keep rows of the weight
  std::map<ir::Op*, Cols> row_linears;     // keep columns of the weight, then all_reduce
  std::map<ir::Op*, std::pair<int64_t, int64_t>> attention_heads;  // n_heads, n_kv_heads
  std::set<ir::Op*> changed;                // ops whose result types follow their operands'
};

class Planner {
 public:
  Planner(ir::Graph& g, Plan& p) : g_(g), p_(p) {}

  // Makes `v` hold only columns `c`; "" when the chain computing it allows, else why not.
  std::string want(ir::Value* v, Cols c) {
    if (c.begin == 0 && c.size == width(v)) return "";
    if (auto it = p_.cols.find(v); it != p_.cols.end())
      return it->second == c ? "" : "%" + v->name() + " is wanted as two different column slices";
    ir::Op* def = v->def();
    if (!def || g_.is_output(v)) return "%" + v->name() + " is a graph argument or output";
    p_.cols[v] = c;
    p_.changed.insert(def);
    const ir::OpTraits& t = ir::traits(*def);
    if (def->kind() == "linear") {
      if (p_.row_linears.count(def)) return "%" + v->name() + " is already split along its input";
      if (def->operands().size() != 2) return "%" + v->name() + " stacks weight parts (shard runs before fusions)";
      p_.column_linears[def] = c;
      return "";
    }
    if (t.role == ir::OpRole::Elementwise) {
      for (ir::Value* o : def->operands())
        if (std::string why = want_operand(o, v, c); !why.empty()) return why;
      return "";
    }
    int64_t group = t.column_groups == ir::ColumnGroups::Head     ? def->attr_int("head_dim")
                    : t.column_groups == ir::ColumnGroups::Weight ? width(def->operand(1))
                                                                  : 0;
    if (group <= 0 || group == width(v)) return "%" + v->name() + " (" + def->kind() + ") reads whole rows";
    if (c.begin % group || c.size % group)
      return "%" + v->name() + " would be split inside a group of " + std::to_string(group);
    return want(def->operand(0), c);
  }

  // Every value a rank computes in part is read only by ops of the plan.
  std::string check_users() const {
    for (const auto& [v, c] : p_.cols)
      for (ir::Op* u : g_.users(v))
        if (!p_.changed.count(u) && !p_.row_linears.count(u)) return "%" + v->name() + " is also read by " + u->where();
    return "";
  }

 private:
  // An elementwise operand: a one-row weight (a bias) is sliced by the apply step, an
  // activation is wanted in the same columns.
  std::string want_operand(ir::Value* o, ir::Value* result, Cols c) {
    if (o->type().rank() == 1 && o->type() != result->type())
      return is_row_weight(o) ? "" : "%" + o->name() + " is a row but not a weight";
    return want(o, c);
  }

  ir::Graph& g_;
  Plan& p_;
};

class Shard : public Pass {
 public:
  std::string summary() const override { return "split linears and attention heads over ranks (tensor parallelism)"; }

  std::vector<PassOption> options() const override {
    PassOption ranks;
    ranks.name = "ranks";
    ranks.kind = OptionKind::Int;
    ranks.help = "processes the graph is split over (1: unchanged; under mpirun: the world's size)";
    ranks.default_value = "1";
    ranks.flag = "tensor-parallel";
    ranks.min = 1;
    ranks.max = 4096;
    PassOption rank;
    rank.name = "rank";
    rank.kind = OptionKind::Int;
    rank.help = "which share this graph keeps, 0 .. ranks-1 (under mpirun: the process's rank)";
    rank.default_value = "0";
    rank.flag = "rank";
    rank.min = 0;
    rank.max = 4095;
    return {ranks, rank};
  }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    ranks_ = int_option("ranks", 1);
    rank_ = int_option("rank", 0);
    if (rank_ >= ranks_)
      throw Error("shard: rank " + std::to_string(rank_) + " is not one of " + std::to_string(ranks_) + " ranks");
    if (ranks_ == 1) return {false, {"one rank: nothing to split"}};
    for (ir::Op* split : ops_of_kind(g, "split")) unstack(g, split);
    Plan p;
    Planner planner(g, p);
    for (ir::Op* attn : ops_of_kind(g, "attention")) plan_attention(g, attn, planner, p);
    int ffn = 0;
    ir::Op* logits = logits_linear(g);
    for (ir::Op* lin : ops_of_kind(g, "linear"))
      if (lin != logits) ffn += plan_row_parallel(g, lin, p, ctx);
    if (std::string why = planner.check_users(); !why.empty()) throw Error("shard: cannot split the graph: " + why);
    bool vocab = logits && !p.column_linears.count(logits) && width(logits->result()) % ranks_ == 0 &&
                 logits->operand(1)->def() && ir::computes_weight(*logits->operand(1)->def());
    if (logits && !vocab)
      ctx.remark(name(), logits->result()->name(), "logits stay whole: the vocabulary is not split evenly",
                 RemarkKind::Missed);
    apply(g, p);
    int tables = 0;
    for (ir::Op* emb : ops_of_kind(g, "embedding"))
      if (!(logits && emb->operand(0) == logits->operand(1)) && token_table(g, emb)) {
        split_table(g, emb->operand(0), nullptr);
        ++tables;
      }
    if (vocab) split_table(g, logits->operand(1), logits);
    return {true,
            {"rank " + std::to_string(rank_) + " of " + std::to_string(ranks_) + ": split " +
             std::to_string(p.attention_heads.size()) + " attentions, " + std::to_string(ffn) + " feed-forward blocks" +
             (vocab ? ", the vocabulary" : "") + (tables ? ", " + std::to_string(tables) + " embedding table" : "")}};
  }

 private:
  int64_t ranks_ = 1, rank_ = 0;

  // This rank's query heads [h0, h1) and KV heads [k0, k1), group-aligned.
  void plan_attention(ir::Graph& g, ir::Op* attn, Planner& planner, Plan& p) {
    int64_t h = attn->attr_int("n_heads"), hk = attn->attr_int("n_kv_heads"), hd = attn->attr_int("head_dim");
    int64_t group = h / hk, h0, h1, k0, k1;
    if (hk >= ranks_) {
      Cols kv = share(hk, rank_, ranks_, 1);
      k0 = kv.begin, k1 = kv.begin + kv.size, h0 = k0 * group, h1 = k1 * group;
    } else {
      if (h < ranks_)
        throw Error("shard: " + attn->where() + ": " + std::to_string(h) + " heads for " + std::to_string(ranks_) +
                    " ranks");
      Cols q = share(h, rank_, ranks_, 1);
      h0 = q.begin, h1 = q.begin + q.size, k0 = h0 / group, k1 = (h1 - 1) / group + 1;
      if (k1 - k0 != 1 && (h0 % group || (h1 - h0) != (k1 - k0) * group))
        throw Error("shard: " + attn->where() + ": query heads " + std::to_string(h0) + ".." + std::to_string(h1 - 1) +
                    " of rank " + std::to_string(rank_) + " straddle KV groups of " + std::to_string(group));
    }
    auto fail = [&](const std::string& why) { throw Error("shard: " + attn->where() + ": " + why); };
    if (std::string why = planner.want(attn->operand(0), {h0 * hd, (h1 - h0) * hd}); !why.empty()) fail(why);
    Cols kv{k0 * hd, (k1 - k0) * hd};
    for (size_t i : {1, 2}) {
      ir::Op* write = defined_by(attn->operand(i), "kv_write");
      if (!write || write->operand(0)->def()) fail("its caches are not kv_writes into graph arguments");
      if (kv.size == width(write->result())) continue;
      if (std::string why = planner.want(write->operand(1), kv); !why.empty()) fail(why);
      p.cols[write->result()] = kv;
      p.changed.insert(write);
    }
    p.changed.insert(attn);
    p.attention_heads[attn] = {h1 - h0, k1 - k0};
    p.cols[attn->result()] = {h0 * hd, (h1 - h0) * hd};
    std::vector<ir::Op*> users = g.users(attn->result());
    if (users.size() != 1 || users[0]->kind() != "linear" || users[0]->operand(0) != attn->result())
      fail("its result is not read by one linear (the output projection)");
    p.row_linears[users[0]] = p.cols[attn->result()];
  }

  // A linear reading a per-column chain of other linears (a feed-forward block): 1 when
  // planned, 0 when it stays whole.
  int plan_row_parallel(ir::Graph& g, ir::Op* lin, Plan& p, PassContext& ctx) {
    ir::Value* x = lin->operand(0);
    if (p.row_linears.count(lin) || p.column_linears.count(lin) || lin->operands().size() != 2 || !x->def() ||
        !ir::is_role(*x->def(), ir::OpRole::Elementwise))
      return 0;
    int64_t unit = width(x) % (32 * ranks_) == 0 ? 32 : 1;  // whole q8_0 blocks when it can
    Cols c = share(width(x), rank_, ranks_, unit);
    Plan trial = p;
    trial.row_linears[lin] = c;
    Planner planner(g, trial);
    std::string why = planner.want(x, c);
    if (why.empty()) why = planner.check_users();
    if (!why.empty()) {
      ctx.remark(name(), lin->result()->name(), "stays whole: " + why, RemarkKind::Missed);
      return 0;
    }
    p = std::move(trial);
    return 1;
  }

  // The activation operand of an elementwise op whose other operands are one-row weights
  // (a bias add), or null.
  static ir::Value* activation_of(ir::Op* op) {
    if (!ir::is_role(*op, ir::OpRole::Elementwise)) return nullptr;
    ir::Value* act = nullptr;
    for (ir::Value* o : op->operands()) {
      if (is_row_weight(o)) continue;
      if (act) return nullptr;
      act = o;
    }
    return act;
  }

  // split(linear(x, W) [elementwise with row weights]) along the columns: each part
  // becomes linear(x, rows of W) followed by the same chain over the part's weight rows.
  // The stacked ops are erased; a chain read elsewhere is left as it is.
  static void unstack(ir::Graph& g, ir::Op* split) {
    ir::Value* stacked = split->operand(0);
    if (split->attr_int("axis") != static_cast<int64_t>(stacked->type().rank()) - 1) return;
    std::vector<ir::Op*> chain;  // from the split back to the linear
    for (ir::Value* v = stacked; v;) {
      if (!v->def() || g.is_output(v) || g.users(v).size() != 1) return;
      chain.push_back(v->def());
      if (v->def()->kind() == "linear") break;
      v = activation_of(v->def());
    }
    ir::Op* lin = chain.back();
    if (lin->kind() != "linear" || lin->operands().size() != 2 || !lin->operand(1)->def() ||
        !ir::computes_weight(*lin->operand(1)->def()))
      return;
    ir::Builder b(g, g.find(split));
    int64_t begin = 0;
    const std::vector<int64_t>& sizes = split->attr_ints("sizes");
    for (size_t i = 0; i < sizes.size(); ++i) {
      ir::Value* part = split->result(i);
      std::string name = part->name();
      part->set_name(g.unique_name(name + ".stacked"));
      auto rows = [&](ir::Value* w) {
        return b.op("slice", {w}, {{"axis", int64_t{0}}, {"begin", begin}, {"size", sizes[i]}}, w->name() + "." + name);
      };
      ir::Value* cur = nullptr;
      for (auto op = chain.rbegin(); op != chain.rend(); ++op) {
        std::vector<ir::Value*> operands = (*op)->operands();
        for (ir::Value*& o : operands) o = is_row_weight(o) || o == lin->operand(1) ? rows(o) : cur ? cur : o;
        cur = b.op((*op)->kind(), operands, (*op)->attrs(), *op == chain.front() ? name : name + ".pre");
      }
      cur->set_name(name);  // the stacked part gave its name up above
      g.replace_all_uses(part, cur);
      begin += sizes[i];
    }
    g.erase(split);
    for (ir::Op* op : chain) g.erase(op);
  }

  static ir::Op* logits_linear(ir::Graph& g) {
    if (g.outputs().empty()) return nullptr;
    return defined_by(g.outputs()[0], "linear");
  }

  // Columns or rows `c` of weight `w`, read by `before`. A slice along the same axis
  // that only `before` reads (an unstacked part) narrows in place: one slice, one param.
  ir::Value* slice(ir::Graph& g, ir::Op* before, ir::Value* w, int64_t axis, Cols c) {
    ir::Op* inner = defined_by(w, "slice");
    if (inner && inner->attr_int("axis") == axis && g.users(w).size() == 1) {
      inner->attrs()["begin"] = inner->attr_int("begin") + c.begin;
      inner->attrs()["size"] = c.size;
      w->set_type(ir::find_op("slice")->infer(*inner).at(0));
      w->set_name(g.unique_name(w->name() + ".r" + std::to_string(rank_)));
      return w;
    }
    ir::Builder b(g, g.find(before));
    return b.op("slice", {w}, {{"axis", axis}, {"begin", c.begin}, {"size", c.size}},
                w->name() + ".r" + std::to_string(rank_));
  }

  // `op`'s partial result joined over the ranks by `collective` (all_reduce sums the
  // parts, all_gather puts them side by side), read wherever `op`'s result was.
  void join_after(ir::Graph& g, ir::Op* op, const char* collective) {
    ir::Value* part = op->result();
    std::string name = part->name();
    part->set_name(g.unique_name(name + ".part"));
    ir::Builder b(g, std::next(g.find(op)));
    ir::Value* joined = b.op(collective, {part}, {{"ranks", ranks_}}, name);
    joined->set_name(name);
    g.replace_all_uses(part, joined);
    joined->def()->set_operand(0, part);
  }

  void apply(ir::Graph& g, Plan& p) {
    for (auto& [lin, c] : p.column_linears) lin->set_operand(1, slice(g, lin, lin->operand(1), 0, c));
    for (auto& [lin, c] : p.row_linears) lin->set_operand(1, slice(g, lin, lin->operand(1), 1, c));
    for (auto& [attn, heads] : p.attention_heads) {
      attn->attrs()["n_heads"] = heads.first;
      attn->attrs()["n_kv_heads"] = heads.second;
    }
    for (ir::Op* op : p.changed)
      if (op->kind() == "kv_write") {
        ir::Value* cache = op->operand(0);
        ir::Type t = cache->type();
        t.dims[1] = ir::Dim::of(p.cols.at(op->result()).size);
        cache->set_type(t);
      }
    // Program order, so each op's operands have their new types when it infers its own.
    for (auto& op : g.ops()) {
      if (!p.changed.count(op.get())) continue;
      if (ir::is_role(*op, ir::OpRole::Elementwise)) slice_row_operands(g, op.get(), p.cols.at(op->result()));
      std::vector<ir::Type> types = op->definition()->infer(*op);
      for (size_t i = 0; i < types.size(); ++i) op->result(i)->set_type(types[i]);
    }
    for (auto& [lin, c] : p.row_linears) join_after(g, lin, "all_reduce");
  }

  void slice_row_operands(ir::Graph& g, ir::Op* op, Cols c) {
    for (size_t i = 0; i < op->operands().size(); ++i) {
      ir::Value* o = op->operand(i);
      if (is_row_weight(o) && width(o) != c.size) op->set_operand(i, slice(g, op, o, 0, c));
    }
  }

  // A token embedding's own table (not the logits'), whose rows the ranks divide.
  bool token_table(ir::Graph& g, ir::Op* emb) const {
    ir::Value* table = emb->operand(0);
    return emb->operand(1) == g.arg("tokens") && !emb->has_attr("begin") && table->def() &&
           ir::computes_weight(*table->def()) && table->type().dims[0].value % ranks_ == 0;
  }

  // This rank's rows of the vocabulary table: embeddings reading it look up only those
  // rows (zero elsewhere) and an all_reduce adds the ranks' parts; the logits (when
  // given, a linear over the table) keep their share of the vocabulary, gathered. A
  // table both read (tied) is sliced once.
  void split_table(ir::Graph& g, ir::Value* table, ir::Op* logits) {
    int64_t vocab = table->type().dims[0].value;
    Cols c = share(vocab, rank_, ranks_, 1);
    ir::Builder b(g, std::next(g.find(table->def())));
    ir::Value* rows = b.op("slice", {table}, {{"axis", int64_t{0}}, {"begin", c.begin}, {"size", c.size}},
                           table->name() + ".r" + std::to_string(rank_));
    for (ir::Op* user : g.users(table)) {
      if (user != logits && !(ir::traits(*user).gathers_rows && user->operand(0) == table)) continue;
      user->set_operand(user == logits ? 1 : 0, rows);
      if (user == logits) continue;
      user->attrs()["begin"] = c.begin;
      user->attrs()["vocab"] = vocab;
      join_after(g, user, "all_reduce");
    }
    if (!logits) return;
    logits->result()->set_type(ir::find_op("linear")->infer(*logits).at(0));
    join_after(g, logits, "all_gather");
  }
};

}  // namespace

std::unique_ptr<Pass> create_shard_pass() { return std::make_unique<Shard>(); }

}  // namespace lmc::passes
