// The template's text as tokens, with the whitespace rules Hugging Face renders chat
// templates with: trim_blocks (a block tag's first newline after it is dropped),
// lstrip_blocks (spaces before a block tag on its own line are dropped), "-" and "+"
// beside a tag's delimiters, comments, {% raw %}, "\r\n" read as "\n" and a single
// trailing newline dropped (Jinja2's keep_trailing_newline=False).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lmc::jinja {

enum class TokenKind { kText, kVarBegin, kVarEnd, kBlockBegin, kBlockEnd, kName, kString, kInt, kFloat, kOp, kEof };

struct Token {
  TokenKind kind;
  std::string text;  // the text, name, decoded string literal, number or operator
  int line;
};

// Throws lmc::Error "<name>:<line>: error: ..." for a tag or literal left open
// or a character no expression has.
std::vector<Token> tokenize(std::string_view source, const std::string& name);

}  // namespace lmc::jinja
