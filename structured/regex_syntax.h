// The expressions byte_dfa.h compiles: PCRE2's syntax (JSON schema's `pattern` is written
// in it, and in ECMA 262's, which agrees on this part), within a subset whose language is
// regular: characters (a non-alphanumeric one quoted by `\`), `.`, `\d \w \s` and `\D \W \S`
// (ASCII classes, as PCRE2 without UCP), `\n \t \r \f`, `\xHH`, `\uHHHH`, classes `[...]` and
// negated ones `[^...]` with ranges and those escapes, groups `(...)`, `(?:...)` and named
// ones, `|`, and the quantifiers `? * + {n} {n,} {n,m}` (m at most 1000; a lazy one `*?`
// matches the same texts). `^` may begin and `$` end the expression or one of its
// alternatives at the top level.
//
// Outside it, and refused naming the construct: backreferences, lookaround, `\b` and the
// other assertions, possessive quantifiers, atomic groups, inline options, `\p{..}`, POSIX
// classes, and an expression whose expansion passes kMaxWeight characters.
//
// Characters are parsed as Unicode code points; the parse tree holds their ASCII part only
// (the bytes byte_dfa.h writes), so a character or range beyond ASCII adds nothing.
#pragma once
#include <bitset>
#include <string_view>
#include <vector>

namespace lmc::structured {

using ByteSet = std::bitset<128>;

// A parsed expression: a class of bytes, or a sequence, a choice, a loop or an option.
struct Regex {
  enum Kind { Set, Cat, Alt, Star, Opt } kind = Cat;
  ByteSet bytes;
  std::vector<Regex> kids;
};

// Throws std::invalid_argument naming the construct and its offset. `anywhere`: JSON
// schema's reading, where a match may begin and end anywhere in the text unless `^` or `$`
// anchors it; otherwise the expression matches the whole text.
Regex parse_regex(std::string_view text, bool anywhere);

}  // namespace lmc::structured
