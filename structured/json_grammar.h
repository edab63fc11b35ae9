// The compiled form of a JSON schema: a graph of nodes, each one kind of JSON value with
// the limits the matcher (json_matcher.h) enforces byte by byte. Schema keywords become
// node fields here (schema_compiler.h); a $ref becomes an edge, so a recursive schema is a
// cycle. Literal strings (an object's keys as JSON text with their quotes, an enum's and
// true/false/null's texts) are tries, walked one byte at a time.
//
// Every node knows the length of its shortest JSON text (min_bytes): the matcher adds
// them up into the bytes a partial answer still needs, which is how generation closes
// the structure before its token budget runs out. It knows too how deep its shallowest
// text nests (min_frames): the matcher's stack holds at most kMaxFrames values, and a
// value is begun (a key written, an item opened, an alternative taken) only where its
// shallowest text fits below, so that every answer the matcher takes can still close.
#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "structured/byte_dfa.h"
#include "structured/byte_trie.h"
#include "structured/number_bounds.h"

namespace lmc::structured {

enum class NodeKind : uint8_t {
  Object,   // the listed properties, in order, the required ones always
  Map,      // any keys (a String node), each value of one node
  Array,    // items of one node, min..max of them
  String,   // min..max code points, or the text of a format
  Number,   // JSON numbers, or integers only, within bounds
  Literal,  // one of a few JSON texts (enum, const, true/false/null)
  Union,    // any one of its alternatives (anyOf, oneOf, a list of types)
};

// A set of byte strings matched one byte at a time, with what each node leads to.
struct LiteralTrie {
  ByteTrie trie;
  std::vector<int32_t> value;    // the string ending at the node, -1 for none
  std::vector<uint32_t> to_end;  // bytes from the node to the nearest end of a string
  // With `sets` (an object's keys): the strings in each node's subtree, a bit each, in
  // `words` words a node.
  uint32_t words = 0;
  std::vector<uint64_t> below;

  void build(const std::vector<std::string>& strings, bool sets = false);
  bool leaf(uint32_t node) const { return trie.end(node) == node + 1; }
  const uint64_t* below_of(uint32_t node) const { return below.data() + size_t{node} * words; }
};

struct Property {
  std::string key;  // as JSON text, quotes included
  uint32_t value = 0;
  bool required = false;
};

constexpr uint32_t kUnbounded = UINT32_MAX;
// The most values nested in one another the matcher follows (its stack's frames).
constexpr uint32_t kMaxFrames = 32;
// The most properties an object node lists: its keys are sets of bits over them at each
// node of their trie, so its size grows with the keys' bytes times the properties.
constexpr uint32_t kMaxProperties = 1024;
// Lengths in bytes: kInfinite while no finite text is known, and sums saturate at kFar
// (a schema asking for a million items is as unreachable as it needs to be).
constexpr uint32_t kInfinite = UINT32_MAX;
constexpr uint32_t kFar = 1u << 30;
inline uint32_t plus(uint32_t a, uint32_t b) {
  if (a == kInfinite || b == kInfinite) return kInfinite;
  return a + b >= kFar ? kFar : a + b;
}
inline uint32_t times(uint32_t a, uint32_t n) {
  if (n == 0) return 0;
  if (a == kInfinite) return kInfinite;
  return a > kFar / n ? kFar : a * n;
}

struct GrammarNode {
  NodeKind kind = NodeKind::Union;
  std::string pointer;                 // where in the schema it comes from (JSON pointer)
  uint32_t min = 0, max = kUnbounded;  // Array: items; String: code points
  uint32_t item = 0;                   // Array: items' node; Map: values' node
  uint32_t key = 0;                    // Map: keys' node
  bool integer = false;                // Number
  NumberBounds bounds;                 // Number: the values it may take (any(): every one)
  std::shared_ptr<const ByteDfa> format;  // String: the grammar of its text (ASCII, no escapes)
  bool loose = false;                  // the schema names no type: values of other types are valid too
  std::vector<Property> properties;    // Object
  std::vector<std::string> texts;      // Literal
  LiteralTrie trie;                    // Object: its keys; Literal: its texts
  std::vector<uint32_t> alternatives;  // Union
  uint32_t min_bytes = kInfinite;      // the shortest JSON text of the node
  uint32_t min_frames = kInfinite;     // the frames its shallowest text needs, its own included

  // Object: the first required property at or after i (properties.size() when none).
  uint32_t first_required(uint32_t i) const { return next_required[i]; }
  // Object: calls f(p) for each property p a key may name whose trie node is at or above
  // p's, when the next property allowed is `next` (those up to and including the first
  // required one: a required property is never skipped) and `room` frames are left for
  // its value; stops at the first f that returns true, and says whether one did.
  template <class F>
  bool find_key(uint32_t trie_node, uint32_t next, uint32_t room, F&& f) const;

  // Object, filled by Grammar::finish: first_required(i) for i up to properties.size();
  // bytes the required properties from i on need, each with its leading comma; and, for
  // each room of 0 to kMaxFrames frames, the properties whose values fit in it, as bits.
  std::vector<uint32_t> next_required;
  std::vector<uint32_t> required_bytes;
  std::vector<uint64_t> fitting;
};

class Grammar {
 public:
  uint32_t add(GrammarNode node);
  GrammarNode& node(uint32_t id) { return nodes_[id]; }
  const GrammarNode& node(uint32_t id) const { return nodes_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }
  uint32_t root() const { return root_; }
  // Whether a value of the node can be written within `frames` frames of the stack.
  bool fits(uint32_t id, uint32_t frames) const { return nodes_[id].min_frames <= frames; }

  // The node of any JSON value (json_object's values), made once.
  uint32_t any();
  // Fixes the root, builds the tries and the shortest lengths. Returns the first node
  // reachable from the root that has no finite JSON text (a required property that
  // recurses forever), or kUnbounded.
  uint32_t finish(uint32_t root);

 private:
  void compute_shortest();
  uint32_t min_bytes_of(const GrammarNode& n) const;
  uint32_t min_frames_of(const GrammarNode& n) const;
  void index_properties(GrammarNode& n) const;

  std::vector<GrammarNode> nodes_;
  uint32_t root_ = 0;
  uint32_t any_ = kUnbounded;
};

template <class F>
bool GrammarNode::find_key(uint32_t trie_node, uint32_t next, uint32_t room, F&& f) const {
  const auto n = static_cast<uint32_t>(properties.size());
  if (next >= n) return false;
  const uint32_t last = std::min(first_required(next), n - 1);
  const uint64_t* below = trie.below_of(trie_node);
  const uint64_t* fit = fitting.data() + size_t{std::min(room, kMaxFrames)} * trie.words;
  for (uint32_t w = next / 64; w <= last / 64; ++w) {
    uint64_t bits = below[w] & fit[w];
    if (w == next / 64) bits &= ~uint64_t{0} << (next % 64);
    if (w == last / 64 && last % 64 != 63) bits &= (uint64_t{1} << (last % 64 + 1)) - 1;
    for (; bits != 0; bits &= bits - 1)
      if (f(w * 64 + static_cast<uint32_t>(std::countr_zero(bits)))) return true;
  }
  return false;
}

// The length of the shortest text of an object node from where it is: the key of
// property p (after `done` of its bytes), its value, and the required ones after it.
uint32_t property_bytes(const Grammar& g, const GrammarNode& object, uint32_t p, uint32_t done);

}  // namespace lmc::structured
