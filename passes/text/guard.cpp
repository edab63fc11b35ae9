#include "passes/text/guard.h"

#include "ir/op_registry.h"
#include "ir/op_traits.h"
#include "passes/api/pattern.h"
#include "passes/text/guard_expr.h"
#include "support/spelling.h"

namespace lmc::passes::text {

namespace {

struct TraitEntry {
  const char* name;
  bool (*has)(const ir::OpTraits&);
};

const std::vector<TraitEntry>& traits_table() {
  static const std::vector<TraitEntry> t = {
      {"input-prologue", [](const ir::OpTraits& t) { return t.input_prologue; }},
      {"epilogue", [](const ir::OpTraits& t) { return t.epilogue; }},
      {"kernel", [](const ir::OpTraits& t) { return t.kernel; }},
      {"commutative", [](const ir::OpTraits& t) { return t.commutative; }},
      {"aliases-operand", [](const ir::OpTraits& t) { return t.aliases_operand; }},
      {"slices", [](const ir::OpTraits& t) { return t.slices; }},
      {"gathers-rows", [](const ir::OpTraits& t) { return t.gathers_rows; }},
      {"selects-experts", [](const ir::OpTraits& t) { return t.selects_experts; }},
  };
  return t;
}

const TraitEntry& parse_trait_entry(LineLexer& lx) {
  int col = lx.peek().col;
  std::string name = lx.expect_word("a trait");
  for (const auto& t : traits_table())
    if (name == t.name) return t;
  // A name near none of them is a guess: it gets the list.
  std::string hint = did_you_mean(name, trait_names());
  if (hint.empty()) {
    std::string list;
    for (const auto& t : trait_names()) list += (list.empty() ? "" : ", ") + t;
    hint = " (traits: " + list + ")";
  }
  lx.fail_at(col, "unknown trait '" + name + "'" + hint);
}

std::string read_capture(LineLexer& lx, Guard& g) {
  g.capture_cols.push_back(lx.peek().col);
  g.captures.push_back(lx.expect_capture("a %capture"));
  return g.captures.back();
}

void parse_single_use(LineLexer& lx, Guard& g) {
  do read_capture(lx, g);
  while (lx.peek().kind == TokenKind::Capture);
  std::vector<std::string> names = g.captures;
  g.check = [names](const ir::Graph& graph, Match& m) -> std::string {
    for (const auto& n : names)
      if (!has_single_use(graph, m.value(n))) return "%" + m.value(n)->name() + " has other users";
    return "";
  };
}

void parse_not_output(LineLexer& lx, Guard& g) {
  std::string v = read_capture(lx, g);
  g.check = [v](const ir::Graph& graph, Match& m) -> std::string {
    return graph.is_output(m.value(v)) ? "%" + m.value(v)->name() + " is a graph output" : "";
  };
}

// A guard comparing two captures by `same`, refusing with "%a and %b <differ>".
void parse_pair(LineLexer& lx, Guard& g, bool (*same)(const ir::Value&, const ir::Value&), const char* differ) {
  std::string a = read_capture(lx, g), b = read_capture(lx, g);
  g.check = [a, b, same, differ](const ir::Graph&, Match& m) -> std::string {
    const ir::Value& va = *m.value(a);
    const ir::Value& vb = *m.value(b);
    return same(va, vb) ? "" : "%" + va.name() + " and %" + vb.name() + " " + differ;
  };
}

void parse_same_value(LineLexer& lx, Guard& g) {
  parse_pair(lx, g, [](const ir::Value& a, const ir::Value& b) { return &a == &b; }, "are different values");
}

void parse_same_dtype(LineLexer& lx, Guard& g) {
  parse_pair(
      lx, g, [](const ir::Value& a, const ir::Value& b) { return a.type().dtype == b.type().dtype; },
      "differ in dtype");
}

void parse_same_block_type(LineLexer& lx, Guard& g) {
  parse_pair(
      lx, g,
      [](const ir::Value& a, const ir::Value& b) {
        ir::DType x = a.type().dtype, y = b.type().dtype;
        return ir::dtype_block_elems(x) == ir::dtype_block_elems(y) &&
               ir::dtype_block_bytes(x) == ir::dtype_block_bytes(y);
      },
      "differ in block type");
}

void parse_same_shape(LineLexer& lx, Guard& g) {
  parse_pair(
      lx, g, [](const ir::Value& a, const ir::Value& b) { return a.type().dims == b.type().dims; }, "differ in shape");
}

void parse_holds(LineLexer& lx, Guard& g) {
  int from = lx.peek().col;
  auto cmp = std::make_shared<Comparison>(parse_comparison(lx));
  std::string text = lx.slice(from, lx.peek().col);
  for (const auto& [name, col] : cmp->captures()) {
    g.captures.push_back(name);
    g.capture_cols.push_back(col);
  }
  for (const Term& t : cmp->attribute_terms()) g.attributes.push_back({t.capture, t.attr, t.col});
  g.check = [cmp, text](const ir::Graph&, Match& m) -> std::string {
    std::string why = cmp->evaluate(m);
    if (why.empty()) return "";
    return why == "is false" ? text + " is false" : text + ": " + why;
  };
}

void parse_trait_guard(LineLexer& lx, Guard& g) {
  std::string v = read_capture(lx, g);
  const TraitEntry& t = parse_trait_entry(lx);
  g.check = [v, &t](const ir::Graph&, Match& m) -> std::string {
    const ir::Op* op = m.value(v)->def();
    if (op && t.has(ir::traits(*op))) return "";
    return "%" + m.value(v)->name() + " is not computed by an op with trait " + t.name;
  };
}

void parse_only_input_of(LineLexer& lx, Guard& g) {
  std::string v = read_capture(lx, g);
  const TraitEntry& t = parse_trait_entry(lx);
  g.check = [v, &t](const ir::Graph& graph, Match& m) -> std::string {
    ir::Value* value = m.value(v);
    for (const ir::Op* user : graph.users(value)) {
      bool only_input = user->operand(0) == value;
      for (size_t i = 1; i < user->operands().size(); ++i) only_input = only_input && user->operand(i) != value;
      if (!t.has(ir::traits(*user)) || !only_input) return "%" + value->name() + " is also read by " + user->where();
    }
    return "";
  };
}

}  // namespace

const std::vector<GuardKind>& guard_vocabulary() {
  static const std::vector<GuardKind> v = {
      {"single-use", "%a %b ...", "each value is read by exactly one op and is not a graph output", parse_single_use},
      {"not-output", "%a", "the value is not a graph output", parse_not_output},
      {"same-value", "%a %b", "the two captures are one value", parse_same_value},
      {"same-dtype", "%a %b", "the two values have one dtype", parse_same_dtype},
      {"same-block-type", "%a %b", "the two values' dtypes have the same block size and bytes", parse_same_block_type},
      {"same-shape", "%a %b", "the two values have the same dims", parse_same_shape},
      {"holds", "EXPR CMP EXPR",
       "an integer comparison (== != < <= > >=) of sums and differences of integers, %v.attr, %v.attr[i] "
       "(attributes of the op computing %v), rank(%v) and dim(%v, i) (i < 0 counts from the last)",
       parse_holds},
      {"trait", "%a TRAIT", "the op computing the value has the trait", parse_trait_guard},
      {"only-input-of", "%a TRAIT", "every op reading the value has the trait and reads it as its operand 0 alone",
       parse_only_input_of},
  };
  return v;
}

TraitTest parse_trait(LineLexer& lx) { return parse_trait_entry(lx).has; }

std::vector<std::string> trait_names() {
  std::vector<std::string> out;
  for (const auto& t : traits_table()) out.push_back(t.name);
  return out;
}

}  // namespace lmc::passes::text
