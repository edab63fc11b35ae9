// The pictures: one cluster per layer, fusions as clusters inside them, weights as lines
// of their readers' labels (or nodes on request), inputs and KV caches marked, what a
// pass changed outlined, one layer drawn alone with stubs, and a clear error for a layer
// the graph does not have.
#include <gtest/gtest.h>

#include <sstream>

#include "ir/dot_writer.h"
#include "ir/parser.h"
#include "support/error.h"
#include "tests/ir/two_layer_graph.h"

namespace lmc::ir {
namespace {

std::string dot(const std::string& text, const DotOptions& opts = {}, const std::string& before = "") {
  auto g = parse(text);
  auto b = before.empty() ? nullptr : parse(before);
  std::ostringstream os;
  write_dot(*g, os, opts, b.get());
  return os.str();
}

// The text of the cluster that `header` opens, up to its closing brace.
std::string cluster(const std::string& dot, const std::string& header) {
  size_t begin = dot.find(header);
  if (begin == std::string::npos) return "";
  size_t indent = begin - dot.rfind('\n', begin) - 1;
  size_t end = dot.find("\n" + std::string(indent, ' ') + "}\n", begin);
  return dot.substr(begin, end - begin);
}

// The line declaring the node whose label starts with `text`.
std::string node(const std::string& dot, const std::string& text) {
  size_t at = dot.find("[label=<" + text);
  if (at == std::string::npos) return "";
  size_t begin = dot.rfind('\n', at) + 1;
  return dot.substr(begin, dot.find('\n', at) - begin);
}

std::string id_of(const std::string& node_line) {
  size_t begin = node_line.find_first_not_of(' ');
  return node_line.substr(begin, node_line.find(' ', begin) - begin);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(DotWriter, EachLayerIsAClusterAndThePrologueAndEpilogueAreOutside) {
  std::string d = dot(kTwoLayers);
  std::string l0 = cluster(d, "subgraph cluster_layer_0 {");
  std::string l1 = cluster(d, "subgraph cluster_layer_1 {");
  ASSERT_FALSE(l0.empty()) << d;
  ASSERT_FALSE(l1.empty()) << d;
  for (const char* op : {"%a0 = rms_norm", "%qr0 = rope", "%kc0.1 = kv_write", "%o0 = attention", "%h0 = add"}) {
    EXPECT_NE(l0.find(op), std::string::npos) << op;
    EXPECT_EQ(l1.find(op), std::string::npos) << op;
  }
  for (const char* op : {"%a1 = rms_norm", "%o1 = attention", "%h1 = add"})
    EXPECT_NE(l1.find(op), std::string::npos) << op;
  for (const char* op : {"%x = embedding", "%xs = scale", "%hl = tail_rows", "%logits = linear"}) {
    EXPECT_NE(d.find(op), std::string::npos) << op;
    EXPECT_EQ(l0.find(op), std::string::npos) << op;
    EXPECT_EQ(l1.find(op), std::string::npos) << op;
  }
  EXPECT_EQ(count(d, "subgraph cluster_layer_"), 2u);
}

TEST(DotWriter, AFusionIsAClusterOfItsBodyInsideItsLayer) {
  std::string d =
      dot("graph @f(%x: f32[T,8]) {\n"
          "  %w = param {name = \"blk.0.w\"} : f32[8,8]\n"
          "  %h = fusion %x, %w {\n"
          "  ^(%a: f32[T,8], %b: f32[8,8]):\n"
          "    %y = linear %a, %b : f32[T,8]\n"
          "    %s = add %y, %a : f32[T,8]\n"
          "    yield %s\n"
          "  } : f32[T,8]\n"
          "  %o = silu %h : f32[T,8]\n"
          "  return %o\n"
          "}\n");
  std::string fusion = cluster(cluster(d, "subgraph cluster_layer_0 {"), "subgraph cluster_n");
  ASSERT_NE(fusion.find("label=<fusion %h>"), std::string::npos) << d;
  std::string y = node(d, "%y = linear"), s = node(d, "%s = add"), o = node(d, "%o = silu"), x = node(d, "%x : ");
  EXPECT_NE(fusion.find(y), std::string::npos);
  EXPECT_NE(fusion.find(s), std::string::npos);
  // Edges: the input into both body ops reading it, inside the body, and out of the op
  // computing the yielded value.
  EXPECT_NE(d.find(id_of(x) + " -> " + id_of(y) + ";"), std::string::npos) << d;
  EXPECT_NE(d.find(id_of(x) + " -> " + id_of(s) + ";"), std::string::npos) << d;
  EXPECT_NE(d.find(id_of(y) + " -> " + id_of(s) + ";"), std::string::npos) << d;
  EXPECT_NE(d.find(id_of(s) + " -> " + id_of(o) + ";"), std::string::npos) << d;
}

TEST(DotWriter, WeightsAreLinesOfTheirReadersUnlessShown) {
  std::string hidden = dot(kTwoLayers);
  EXPECT_EQ(node(hidden, "%wq0 = param"), "");
  std::string q0 = node(hidden, "%q0 = linear");
  EXPECT_NE(q0.find("%wq0 = param {name = &quot;blk.0.attn_q.weight&quot;} : f32[32,32]"), std::string::npos) << q0;
  EXPECT_EQ(q0.find("%wk0"), std::string::npos) << q0;

  DotOptions opts;
  opts.show_weights = true;
  std::string shown = dot(kTwoLayers, opts);
  std::string wq0 = node(shown, "%wq0 = param");
  ASSERT_NE(wq0, "") << shown;
  EXPECT_NE(cluster(shown, "subgraph cluster_layer_0 {").find(wq0), std::string::npos);
  EXPECT_EQ(node(shown, "%q0 = linear").find("param"), std::string::npos);
  EXPECT_NE(shown.find(id_of(wq0) + " -> " + id_of(node(shown, "%q0 = linear")) + ";"), std::string::npos);
}

TEST(DotWriter, AWeightTransformIsALineWithTheWeightsItReads) {
  std::string d =
      dot("graph @t(%x: f32[T,8]) {\n"
          "  %a = param {name = \"blk.0.a\"} : f32[8,8]\n"
          "  %b = param {name = \"blk.0.b\"} : f32[8,8]\n"
          "  %c = concat %a, %b {axis = 0} : f32[16,8]\n"
          "  %y = linear %x, %c : f32[T,16]\n"
          "  return %y\n"
          "}\n");
  std::string y = node(d, "%y = linear");
  EXPECT_NE(y.find("%c = concat %a, %b {axis = 0} : f32[16,8]"), std::string::npos) << y;
  EXPECT_NE(y.find("%a = param"), std::string::npos) << y;
  EXPECT_NE(y.find("%b = param"), std::string::npos) << y;
  EXPECT_EQ(node(d, "%c = concat"), "");
}

TEST(DotWriter, InputsAndKvCachesAreMarked) {
  std::string d = dot(kTwoLayers);
  EXPECT_NE(node(d, "%tokens : i32[T]").find("shape=invhouse"), std::string::npos) << d;
  std::string l0 = cluster(d, "subgraph cluster_layer_0 {"), l1 = cluster(d, "subgraph cluster_layer_1 {");
  // A cache is drawn in the layer that writes it.
  EXPECT_NE(node(l0, "%kc0 : f32[64,16]").find("shape=cylinder"), std::string::npos) << l0;
  EXPECT_EQ(l1.find("%kc0 :"), std::string::npos);
  EXPECT_NE(node(d, "%kc0.1 = kv_write").find("shape=cylinder"), std::string::npos);
  EXPECT_EQ(node(d, "%o0 = attention").find("shape=cylinder"), std::string::npos);
  // An input read by several layers is drawn in each of them.
  EXPECT_NE(node(l0, "%positions : i32[T]").find("shape=invhouse"), std::string::npos) << l0;
  EXPECT_NE(node(l1, "%seq : i32[T]").find("shape=invhouse"), std::string::npos) << l1;
  EXPECT_NE(d.find("legend [shape=plaintext"), std::string::npos);
  for (const char* entry : {">anchor<", ">row-reduction<", ">elementwise<", ">view<", ">graph input<", ">KV cache"})
    EXPECT_NE(d.find(entry), std::string::npos) << entry;
}

TEST(DotWriter, OpsAPassAddedOrChangedAreOutlined) {
  std::string after = kTwoLayers;
  auto replace = [&](const std::string& from, const std::string& to) {
    after.replace(after.find(from), from.size(), to);
  };
  replace("%h1 = add %h0, %ho1", "%h1.s = scale %ho1 {factor = 0.5} : f32[T,32]\n  %h1 = add %h0, %h1.s");
  replace("%qr0 = rope %q0, %positions {base = 10000.0", "%qr0 = rope %q0, %positions {base = 500.0");
  std::string d = dot(after, {}, kTwoLayers);
  EXPECT_EQ(count(d, "penwidth=3"), 3u) << d;
  for (const char* op : {"%h1.s = scale", "%h1 = add", "%qr0 = rope"})
    EXPECT_NE(node(d, op).find("color=\"#d7191c\", penwidth=3"), std::string::npos) << op;
  EXPECT_EQ(node(d, "%kr0 = rope").find("penwidth=3"), std::string::npos);
  EXPECT_NE(d.find("added or changed"), std::string::npos);
  EXPECT_EQ(dot(kTwoLayers).find("added or changed"), std::string::npos);
}

TEST(DotWriter, ANewFusionIsOutlinedAroundTheOpsItTookUnchanged) {
  std::string before =
      "graph @f(%x: f32[T,8]) {\n"
      "  %y = silu %x : f32[T,8]\n"
      "  %z = gelu %y : f32[T,8]\n"
      "  return %z\n"
      "}\n";
  std::string after =
      "graph @f(%x: f32[T,8]) {\n"
      "  %z = fusion %x {\n"
      "  ^(%x: f32[T,8]):\n"
      "    %y = silu %x : f32[T,8]\n"
      "    %z = gelu %y : f32[T,8]\n"
      "    yield %z\n"
      "  } : f32[T,8]\n"
      "  return %z\n"
      "}\n";
  std::string d = dot(after, {}, before);
  std::string fusion = cluster(d, "subgraph cluster_n");
  EXPECT_NE(fusion.find("color=\"#d7191c\"; penwidth=3;"), std::string::npos) << d;
  EXPECT_EQ(node(d, "%y = silu").find("penwidth=3"), std::string::npos);
  EXPECT_EQ(node(d, "%z = gelu").find("penwidth=3"), std::string::npos);
}

TEST(DotWriter, OneLayerIsDrawnAloneWithStubsForWhatItReads) {
  DotOptions opts;
  opts.layer = 1;
  std::string d = dot(kTwoLayers, opts);
  EXPECT_EQ(d.find("cluster_layer_0"), std::string::npos);
  std::string l1 = cluster(d, "subgraph cluster_layer_1 {");
  for (const char* op : {"%a1 = rms_norm", "%o1 = attention", "%h1 = add", "%positions : i32[T]", "%kc1 : f32[64,16]"})
    EXPECT_NE(l1.find(op), std::string::npos) << op;
  for (const char* op : {"%a0 = rms_norm", "%x = embedding", "%logits = linear", "%kc0 :"})
    EXPECT_EQ(d.find(op), std::string::npos) << op;
  // Layer 0's result, read twice, is one stub outside the cluster.
  std::string stub = node(d, "%h0 : f32[T,32]");
  ASSERT_NE(stub, "") << d;
  EXPECT_NE(stub.find("from layer 0"), std::string::npos);
  EXPECT_NE(stub.find("dashed"), std::string::npos);
  EXPECT_EQ(l1.find(stub), std::string::npos);
  EXPECT_EQ(count(d, "[label=<%h0 :"), 1u);
  EXPECT_NE(d.find(id_of(stub) + " -> " + id_of(node(d, "%a1 = rms_norm")) + ";"), std::string::npos);
  EXPECT_NE(d.find(id_of(stub) + " -> " + id_of(node(d, "%h1 = add")) + ";"), std::string::npos);
}

TEST(DotWriter, ALayerTheGraphDoesNotHaveIsAClearError) {
  for (int layer : {2, 99, -1}) {
    DotOptions opts;
    opts.layer = layer;
    try {
      dot(kTwoLayers, opts);
      ADD_FAILURE() << "layer " << layer << " was drawn";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                "cannot draw layer " + std::to_string(layer) + " of graph @two: its layers are 0 to 1");
    }
  }
  DotOptions opts;
  opts.layer = 0;
  try {
    dot("graph @n(%x: f32[T,8]) {\n  %y = silu %x : f32[T,8]\n  return %y\n}\n", opts);
    ADD_FAILURE() << "a graph without layers drew layer 0";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot draw layer 0 of graph @n: it has no layers (no weight name carries a layer index)");
  }
}

TEST(DotWriter, LabelTextIsEscaped) {
  std::string d =
      dot("graph @e(%x: f32[T,8]) {\n"
          "  %w = param {name = \"a <b> & \\\"c\\\"\"} : f32[8,8]\n"
          "  %y = linear %x, %w : f32[T,8]\n"
          "  return %y\n"
          "}\n");
  EXPECT_NE(node(d, "%y = linear").find("a &lt;b&gt; &amp; \\&quot;c\\&quot;"), std::string::npos) << d;
}

}  // namespace
}  // namespace lmc::ir
