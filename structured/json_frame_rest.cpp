#include <algorithm>

#include "structured/json_frame.h"
#include "structured/json_frame_phases.h"

namespace lmc::structured {

using namespace frame;

namespace {

uint32_t bounded_number_rest(const GrammarNode& n, const Frame& f) {
  int more = 0;
  switch (f.phase) {
    case kMinus:
      more = n.bounds.more_digits(0, 0, true);
      break;
    case kZero:
    case kInt:
      more = n.bounds.more_digits(magnitude(f), f.pending, minus(f));
      break;
    case kDot:
      return 1;
    case kFrac:
      return 0;
    default:
      return n.min_bytes;
  }
  return more < 0 ? kInfinite : static_cast<uint32_t>(more);
}

// The fewest bytes from a key (at trie_node, `done` bytes of it read) to the end of the
// object: the cheapest property the key may still become, its value and the required
// ones after it, and '}'.
uint32_t keyed_rest(const Grammar& g, const GrammarNode& n, uint32_t trie_node, uint32_t next, uint32_t done,
                    uint32_t room) {
  uint32_t best = kInfinite;
  n.find_key(trie_node, next, room, [&](uint32_t p) {
    best = std::min(best, plus(property_bytes(g, n, p, done), 1));
    return false;
  });
  return best;
}

uint32_t object_rest(const Grammar& g, const GrammarNode& n, const Frame& f, uint32_t room) {
  const auto count = static_cast<uint32_t>(n.properties.size());
  const uint32_t key =
      f.phase >= kColon && f.phase <= kAfter ? static_cast<uint32_t>(n.properties[f.at].key.size()) : 0;
  switch (f.phase) {
    case kOpen:
      return std::min(n.first_required(0) == count ? 1u : kInfinite, keyed_rest(g, n, 0, 0, 0, room));
    case kKey:
      return keyed_rest(g, n, f.trie, f.at, n.trie.trie.depth(f.trie), room);
    case kColon:
      return plus(property_bytes(g, n, f.at, key), 1);
    case kValue:
    case kValueSpaced:
      return property_bytes(g, n, f.at, key);  // its ':' is read, its '}' is not
    case kAfter:
      return plus(n.required_bytes[f.at + 1], 1);
    case kComma:
    case kCommaSpaced:
      return keyed_rest(g, n, 0, f.at, 0, room);
    default:
      return n.min_bytes;
  }
}

uint32_t map_rest(const Grammar& g, const GrammarNode& n, const Frame& f) {
  const uint32_t value = g.node(n.item).min_bytes;
  switch (f.phase) {
    case kOpen:
    case kAfter:
      return 1;
    case kColon:
      return plus(value, 2);
    case kValue:
    case kValueSpaced:
      return plus(value, 1);
    case kComma:
    case kCommaSpaced:
      return plus(plus(g.node(n.key).min_bytes, value), 2);
    default:
      return n.min_bytes;
  }
}

uint32_t array_rest(const Grammar& g, const GrammarNode& n, const Frame& f) {
  const uint32_t item = plus(g.node(n.item).min_bytes, 1);  // with its comma
  switch (f.phase) {
    case kOpen:
      return n.min == 0 ? 1 : times(item, n.min);
    case kAfter:
      return plus(times(item, less(n.min, f.at)), 1);
    case kComma:
    case kCommaSpaced:
      return plus(plus(g.node(n.item).min_bytes, times(item, less(n.min, f.at + 1))), 1);
    default:
      return n.min_bytes;
  }
}

uint32_t string_rest(const GrammarNode& n, const Frame& f) {
  switch (f.phase) {
    case kText:
      if (n.format) return std::max(less(n.min, f.at), n.format->to_end(static_cast<int32_t>(f.trie))) + 1;
      return less(n.min, f.at) + 1;
    case kUtf8:
    case kHex:
      return f.pending + less(n.min, f.at + 1) + 1;
    case kEscape:
      return 1 + less(n.min, f.at + 1) + 1;
    default:
      return n.min_bytes;
  }
}

}  // namespace

uint32_t frame_rest(const Grammar& g, const Frame& f, uint32_t room) {
  const GrammarNode& n = g.node(f.node);
  switch (n.kind) {
    case NodeKind::Object:
      return object_rest(g, n, f, room);
    case NodeKind::Map:
      return map_rest(g, n, f);
    case NodeKind::Array:
      return array_rest(g, n, f);
    case NodeKind::String:
      return string_rest(n, f);
    case NodeKind::Number:
      if (!n.bounds.any()) return bounded_number_rest(n, f);
      return frame_accepting(g, f) ? 0 : 1;
    case NodeKind::Literal:
      return n.trie.to_end[f.trie];
    case NodeKind::Union:
      return n.min_bytes;
  }
  return kInfinite;
}

bool frame_accepting(const Grammar& g, const Frame& f) {
  const GrammarNode& n = g.node(f.node);
  if (n.kind == NodeKind::Number && !n.bounds.any())
    return f.phase == kFrac || ((f.phase == kZero || f.phase == kInt) && n.bounds.admits(signed_value(f)));
  if (n.kind == NodeKind::Number)
    return f.phase == kZero || f.phase == kInt || f.phase == kFrac || f.phase == kExpDigits;
  if (n.kind == NodeKind::Literal) return n.trie.value[f.trie] >= 0;
  return false;
}

}  // namespace lmc::structured
