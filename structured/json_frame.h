// One level of a JSON text being matched: a node of the grammar and how far into its
// value the bytes so far have come. Each kind of node reads bytes in its own small
// automaton (json_frame.cpp; the bytes each still needs: json_frame_rest.cpp); the
// matcher (json_matcher.h) stacks frames for nested values. Whitespace is bounded so
// that a model cannot spin on it: none at all, except one optional space after a ':' or
// a ',' (the spacing models write most), and no whitespace around the whole value.
//
// Numbers are bounded too: at most 15 integer and 15 fraction digits and a two-digit
// exponent, so every number the matcher accepts parses as a finite double.
#pragma once
#include <cstdint>
#include <vector>

#include "structured/json_grammar.h"

namespace lmc::structured {

// 16 bytes, compared and copied whole: every field is always initialised.
struct Frame {
  uint32_t node = 0;
  uint8_t phase = 0;    // where in its value: each kind numbers its own phases, 0 = not started
  uint8_t pending = 0;  // String: bytes left of a character or escape; Number: digits of the part
  uint16_t flags = 0;   // String: a \u escape's first digit was d (a surrogate must not follow)
  uint32_t at = 0;      // Object: the property (read, or next allowed); Array: items begun; String: code points
  uint32_t trie = 0;    // Object: the key's trie node; Literal: the text's trie node; String: next byte's range
  bool operator==(const Frame&) const = default;
};

enum class Step : uint8_t {
  Reject,  // the byte cannot come here
  Stay,    // read; the value goes on
  Done,    // read; the value is complete
  Push,    // the frame now waits for a child value, which starts with this byte
  Pop,     // the value ended before this byte, which its parent must read
};

// Reads one byte into f, which has `room` frames of the stack below it for the values in
// its own: a value that needs more is never begun. For Push, `child` is the node of the
// value that starts.
Step step_frame(const Grammar& g, Frame& f, uint8_t b, uint32_t& child, uint32_t room);
// What a stack's step leaves: the byte refused, taken (the value goes on, or its frame
// popped when complete), or to read again on the stack as it now stands (a child pushed,
// or a value ended before the byte popped).
enum class StepEnd { Refused, Taken, Again };
// Applies step `s` of the stack's top frame (`child`: the node a Push starts) to the stack.
StepEnd apply_step(std::vector<Frame>& stack, Step s, uint32_t child);
// The fewest bytes that complete f's value (a child it waits for counts on its own), with
// `room` frames below it.
uint32_t frame_rest(const Grammar& g, const Frame& f, uint32_t room);
// The value is complete as it stands, though more bytes may extend it (a number).
bool frame_accepting(const Grammar& g, const Frame& f);
// Reading the text of a string, between characters: the matcher's fast path for tokens
// of plain characters (token_mask.h).
bool in_string_text(const Grammar& g, const Frame& f);

}  // namespace lmc::structured
