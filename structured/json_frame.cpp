#include "structured/json_frame.h"

#include <algorithm>

#include "structured/json_frame_phases.h"

namespace lmc::structured {

using namespace frame;

namespace {

bool digit(uint8_t b) { return b >= '0' && b <= '9'; }

// A byte of an object's key, among the properties it may still name from f.at on whose
// values fit in the frames left.
Step key_byte(const GrammarNode& n, Frame& f, uint8_t b, uint32_t room) {
  const uint32_t c = n.trie.trie.child(f.trie, b);
  if (c == ByteTrie::kNone || !n.find_key(c, f.at, room, [](uint32_t) { return true; })) return Step::Reject;
  f.trie = c;
  if (n.trie.value[c] >= 0) {  // keys end with their quote: a whole key is a leaf
    f.at = static_cast<uint32_t>(n.trie.value[c]);
    f.phase = kColon;
  }
  return Step::Stay;
}

Step to(Frame& f, uint8_t phase) {
  f.phase = phase;
  return Step::Stay;
}

// The frame waits in `after` for a value of `node`, which starts with this byte.
Step push(Frame& f, uint8_t after, uint32_t node, uint32_t& child) {
  f.phase = after;
  child = node;
  return Step::Push;
}

Step object_step(const GrammarNode& n, Frame& f, uint8_t b, uint32_t& child, uint32_t room) {
  const auto count = static_cast<uint32_t>(n.properties.size());
  switch (f.phase) {
    case kStart:
      return b == '{' ? to(f, kOpen) : Step::Reject;
    case kOpen:
      if (b == '}') return n.first_required(0) == count ? Step::Done : Step::Reject;
      f.phase = kKey;
      return key_byte(n, f, b, room);
    case kKey:
      return key_byte(n, f, b, room);
    case kColon:
      return b == ':' ? to(f, kValue) : Step::Reject;
    case kValue:
      if (b == ' ') return to(f, kValueSpaced);
      [[fallthrough]];
    case kValueSpaced:
      return push(f, kAfter, n.properties[f.at].value, child);
    case kAfter:  // a comma only where a key may follow it
      if (b == ',' && n.find_key(0, f.at + 1, room, [](uint32_t) { return true; })) {
        ++f.at;
        return to(f, kComma);
      }
      return b == '}' && n.first_required(f.at + 1) == count ? Step::Done : Step::Reject;
    case kComma:
      if (b == ' ') return to(f, kCommaSpaced);
      [[fallthrough]];
    case kCommaSpaced:
      f.phase = kKey;
      f.trie = 0;
      return key_byte(n, f, b, room);
  }
  return Step::Reject;
}

// A map's keys and values, an array's items: begun only where they fit in the frames left.
Step map_step(const Grammar& g, const GrammarNode& n, Frame& f, uint8_t b, uint32_t& child, uint32_t room) {
  switch (f.phase) {
    case kStart:
      return b == '{' ? to(f, kOpen) : Step::Reject;
    case kOpen:
      if (b == '}') return Step::Done;
      return g.fits(n.key, room) && g.fits(n.item, room) ? push(f, kColon, n.key, child) : Step::Reject;
    case kColon:
      return b == ':' ? to(f, kValue) : Step::Reject;
    case kValue:
      if (b == ' ') return to(f, kValueSpaced);
      [[fallthrough]];
    case kValueSpaced:
      return push(f, kAfter, n.item, child);
    case kAfter:
      return b == '}' ? Step::Done : b == ',' ? to(f, kComma) : Step::Reject;
    case kComma:
      if (b == ' ') return to(f, kCommaSpaced);
      [[fallthrough]];
    case kCommaSpaced:
      return push(f, kColon, n.key, child);
  }
  return Step::Reject;
}

// An array's next item starts with this byte.
Step next_item(const GrammarNode& n, Frame& f, uint32_t& child) {
  ++f.at;
  return push(f, kAfter, n.item, child);
}

Step array_step(const Grammar& g, const GrammarNode& n, Frame& f, uint8_t b, uint32_t& child, uint32_t room) {
  switch (f.phase) {
    case kStart:
      return b == '[' ? to(f, kOpen) : Step::Reject;
    case kOpen:
      if (b == ']') return n.min == 0 ? Step::Done : Step::Reject;
      if (n.max == 0 || !g.fits(n.item, room)) return Step::Reject;
      return next_item(n, f, child);
    case kAfter:
      if (b == ']') return f.at >= n.min ? Step::Done : Step::Reject;
      return b == ',' && f.at < n.max && g.fits(n.item, room) ? to(f, kComma) : Step::Reject;
    case kComma:
      if (b == ' ') return to(f, kCommaSpaced);
      [[fallthrough]];
    case kCommaSpaced:
      return next_item(n, f, child);
  }
  return Step::Reject;
}

// The first byte of a UTF-8 character: how many bytes follow, and the range the next
// one must lie in (which rules out overlong forms, surrogates and code points past
// U+10FFFF, as RFC 3629's table does).
bool utf8_lead(uint8_t b, Frame& f) {
  if (b < 0xC2 || b > 0xF4) return false;
  f.pending = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b == 0xE0) lo = 0xA0;
  if (b == 0xED) hi = 0x9F;
  if (b == 0xF0) lo = 0x90;
  if (b == 0xF4) hi = 0x8F;
  f.trie = lo | hi << 8;
  return true;
}

// A byte of a format's text (frame.trie: the format's state): ASCII without escapes.
Step format_byte(const GrammarNode& n, Frame& f, uint8_t b) {
  const auto state = static_cast<int32_t>(f.trie);
  if (b == '"') return n.format->accepting(state) && f.at >= n.min ? Step::Done : Step::Reject;
  const int32_t next = n.format->next(state, b);
  if (next == ByteDfa::kRefused || b < 0x20 || b == '\\' || f.at >= n.max) return Step::Reject;
  f.trie = static_cast<uint32_t>(next);
  ++f.at;
  return Step::Stay;
}

Step text_byte(const GrammarNode& n, Frame& f, uint8_t b) {
  if (n.format) return format_byte(n, f, b);
  if (b == '"') return f.at >= n.min ? Step::Done : Step::Reject;
  if (b < 0x20 || f.at >= n.max) return Step::Reject;
  if (b == '\\') return to(f, kEscape);
  if (b < 0x80) {
    ++f.at;
    return Step::Stay;
  }
  return utf8_lead(b, f) ? to(f, kUtf8) : Step::Reject;
}

// One more character of the string's text is complete.
Step counted(Frame& f) {
  ++f.at;
  f.phase = kText;
  return Step::Stay;
}

int hex_value(uint8_t b) {
  if (digit(b)) return b - '0';
  if (b >= 'a' && b <= 'f') return b - 'a' + 10;
  if (b >= 'A' && b <= 'F') return b - 'A' + 10;
  return -1;
}

Step string_step(const GrammarNode& n, Frame& f, uint8_t b) {
  switch (f.phase) {
    case kQuote:
      return b == '"' ? to(f, kText) : Step::Reject;
    case kText:
      return text_byte(n, f, b);
    case kUtf8:
      if (b < (f.trie & 0xFF) || b > (f.trie >> 8)) return Step::Reject;
      f.trie = 0x80 | 0xBF << 8;
      return --f.pending == 0 ? counted(f) : Step::Stay;
    case kEscape:
      if (b == 'u') {
        f.phase = kHex;
        f.pending = 4;
        f.flags = 0;
        return Step::Stay;
      }
      for (char e : {'"', '\\', '/', 'b', 'f', 'n', 'r', 't'})
        if (b == static_cast<uint8_t>(e)) return counted(f);
      return Step::Reject;
    case kHex: {
      const int v = hex_value(b);
      // A lone surrogate (\uD800-\uDFFF) is not a character; JSON parsers refuse it.
      if (v < 0 || (f.pending == 3 && f.flags && v >= 8)) return Step::Reject;
      if (f.pending == 4) f.flags = v == 0xD;
      return --f.pending == 0 ? counted(f) : Step::Stay;
    }
  }
  return Step::Reject;
}

// A byte that does not continue a complete number ends it; its parent reads the byte.
Step number_end(NumberPhase phase) {
  return phase == kZero || phase == kInt || phase == kFrac || phase == kExpDigits ? Step::Pop : Step::Reject;
}

bool minus_allowed(const GrammarNode& n) {
  return n.bounds.meets(-NumberBounds::kMost, -1) || (!n.integer && n.bounds.fraction(0, true));
}

// A digit of a bounded number's integer part: taken when some way to go on ends inside.
Step bounded_digit(const GrammarNode& n, Frame& f, uint8_t b) {
  const int64_t m = f.phase == kInt ? magnitude(f) * 10 + (b - '0') : b - '0';
  const int digits = f.phase == kInt ? f.pending + 1 : 1;
  if (digits > kMaxDigits || n.bounds.more_digits(m, digits, minus(f)) < 0) return Step::Reject;
  f.at = static_cast<uint32_t>(m);
  f.trie = static_cast<uint32_t>(m >> 32);
  f.phase = m == 0 ? kZero : kInt;
  f.pending = static_cast<uint8_t>(digits);
  return Step::Stay;
}

// A number within bounds (number_bounds.h): no exponent; a fraction only where the whole
// unit above its integer part is inside, with at most 15 significant digits in all.
Step bounded_number_step(const GrammarNode& n, Frame& f, uint8_t b) {
  const auto phase = static_cast<NumberPhase>(f.phase);
  if (b == '-' && phase == kSign) {
    if (!minus_allowed(n)) return Step::Reject;
    f.flags = 1;
    return to(f, kMinus);
  }
  if (digit(b)) {
    switch (phase) {
      case kSign:
      case kMinus:
      case kInt:
        return bounded_digit(n, f, b);
      case kDot:
        f.pending = 1;
        return to(f, kFrac);
      case kFrac:
        if (f.pending + digits_of(magnitude(f)) >= kMaxDigits) return Step::Reject;
        ++f.pending;
        return Step::Stay;
      default:
        return Step::Reject;
    }
  }
  if (b == '.' && (phase == kZero || phase == kInt))
    return !n.integer && digits_of(magnitude(f)) < kMaxDigits && n.bounds.fraction(magnitude(f), minus(f))
               ? to(f, kDot)
               : Step::Reject;
  if ((phase == kZero || phase == kInt) && !n.bounds.admits(signed_value(f))) return Step::Reject;
  return phase == kZero || phase == kInt || phase == kFrac ? Step::Pop : Step::Reject;
}

Step number_step(const GrammarNode& n, Frame& f, uint8_t b) {
  if (!n.bounds.any()) return bounded_number_step(n, f, b);
  const auto phase = static_cast<NumberPhase>(f.phase);
  auto next = [&](NumberPhase p, uint8_t digits) {
    f.phase = p;
    f.pending = digits;
    return Step::Stay;
  };
  if (digit(b)) {
    switch (phase) {
      case kSign:
      case kMinus:
        return b == '0' ? next(kZero, 0) : next(kInt, 1);
      case kInt:
      case kFrac:
        return f.pending < kMaxDigits ? next(phase, f.pending + 1) : Step::Reject;
      case kDot:
        return next(kFrac, 1);
      case kExp:
      case kExpSign:
        return next(kExpDigits, 1);
      case kExpDigits:
        return f.pending < kMaxExponentDigits ? next(kExpDigits, f.pending + 1) : Step::Reject;
      case kZero:
        return Step::Reject;  // no leading zeros
    }
  }
  if (b == '-' && phase == kSign) return next(kMinus, 0);
  if ((b == '+' || b == '-') && phase == kExp) return next(kExpSign, 0);
  if (!n.integer && b == '.' && (phase == kZero || phase == kInt)) return next(kDot, 0);
  if (!n.integer && (b == 'e' || b == 'E') && (phase == kZero || phase == kInt || phase == kFrac)) return next(kExp, 0);
  return number_end(phase);
}

Step literal_step(const GrammarNode& n, Frame& f, uint8_t b) {
  const uint32_t c = n.trie.trie.child(f.trie, b);
  if (c == ByteTrie::kNone) return n.trie.value[f.trie] >= 0 ? Step::Pop : Step::Reject;
  f.trie = c;
  return n.trie.value[c] >= 0 && n.trie.leaf(c) ? Step::Done : Step::Stay;
}

}  // namespace

StepEnd apply_step(std::vector<Frame>& stack, Step s, uint32_t child) {
  switch (s) {
    case Step::Reject:
      return StepEnd::Refused;
    case Step::Done:
      stack.pop_back();
      return StepEnd::Taken;
    case Step::Stay:
      return StepEnd::Taken;
    case Step::Push:  // the frame has made sure that the child fits below it
      stack.push_back(Frame{});
      stack.back().node = child;
      return StepEnd::Again;
    case Step::Pop:
      stack.pop_back();
      return StepEnd::Again;
  }
  return StepEnd::Refused;
}

Step step_frame(const Grammar& g, Frame& f, uint8_t b, uint32_t& child, uint32_t room) {
  const GrammarNode& n = g.node(f.node);
  switch (n.kind) {
    case NodeKind::Object:
      return object_step(n, f, b, child, room);
    case NodeKind::Map:
      return map_step(g, n, f, b, child, room);
    case NodeKind::Array:
      return array_step(g, n, f, b, child, room);
    case NodeKind::String:
      return string_step(n, f, b);
    case NodeKind::Number:
      return number_step(n, f, b);
    case NodeKind::Literal:
      return literal_step(n, f, b);
    case NodeKind::Union:
      return Step::Reject;  // the matcher chooses an alternative first
  }
  return Step::Reject;
}

bool in_string_text(const Grammar& g, const Frame& f) {
  const GrammarNode& n = g.node(f.node);
  return n.kind == NodeKind::String && f.phase == kText && !n.format;
}

}  // namespace lmc::structured
