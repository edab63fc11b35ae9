// Recursive-descent parser of templates (parser.h): text, output and block statements;
// expressions are expression_parser.h's.
#include "jinja/parser.h"

#include <initializer_list>

#include "jinja/expression_parser.h"
#include "jinja/token_cursor.h"

namespace lmc::jinja {

namespace {

std::unique_ptr<Stmt> stmt(StmtKind k, int line) {
  auto s = std::make_unique<Stmt>();
  s->kind = k;
  s->line = line;
  return s;
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const std::string& name) : c_(tokens, name), e_(c_) {}

  Body run() {
    std::string end;
    return parse_body({}, end);
  }

 private:
  // Statements up to a block tag named in `ends` (consumed up to its name; `end` says which).
  Body parse_body(std::initializer_list<const char*> ends, std::string& end) {
    TokenCursor::Depth guard(c_);
    Body body;
    for (;;) {
      const Token& tok = c_.cur();
      if (tok.kind == TokenKind::kEof) {
        if (ends.size() == 0) return body;
        std::string wanted;
        for (const char* e : ends) wanted += std::string(wanted.empty() ? "'" : " or '") + e + "'";
        c_.fail(tok, "unexpected end of template, looking for " + wanted);
      }
      if (tok.kind == TokenKind::kText) {
        body.push_back(stmt(StmtKind::kText, tok.line));
        body.back()->text = tok.text;
        c_.advance();
      } else if (tok.kind == TokenKind::kVarBegin) {
        c_.advance();
        auto s = stmt(StmtKind::kOutput, tok.line);
        s->expr = e_.expression();
        c_.expect(TokenKind::kVarEnd);
        body.push_back(std::move(s));
      } else if (tok.kind == TokenKind::kBlockBegin) {
        const Token& word = c_.ahead(1);
        for (const char* e : ends)
          if (word.kind == TokenKind::kName && word.text == e) {
            c_.advance(2);
            end = e;
            return body;
          }
        c_.advance();
        body.push_back(statement());
      } else {
        c_.fail(tok, std::string("unexpected ") + kind_name(tok.kind));
      }
    }
  }

  std::unique_ptr<Stmt> statement() {
    const Token& word = c_.cur();
    if (word.kind != TokenKind::kName) c_.fail(word, "expected a tag name");
    c_.advance();
    const std::string& w = word.text;
    if (w == "if") return if_statement(word.line);
    if (w == "for") return for_statement(word.line);
    if (w == "set") return set_statement(word.line);
    if (w == "macro") return macro_statement(word.line);
    if (w == "call") return call_block(word.line);
    if (w == "generation") return plain_block(word.line, "endgeneration");
    if (w == "filter") return filter_block(word.line);
    if (w == "break" || w == "continue") {
      if (loops_ == 0) c_.fail(word, "'" + w + "' outside a for loop");
      c_.expect(TokenKind::kBlockEnd);
      return stmt(w == "break" ? StmtKind::kBreak : StmtKind::kContinue, word.line);
    }
    c_.fail(word, "unknown tag '" + w + "'");
  }

  std::unique_ptr<Stmt> if_statement(int line) {
    auto s = stmt(StmtKind::kIf, line);
    for (std::string end = "elif"; end == "elif";) {
      ExprPtr cond = e_.expression();
      c_.expect(TokenKind::kBlockEnd);
      Body body = parse_body({"elif", "else", "endif"}, end);
      s->branches.emplace_back(std::move(cond), std::move(body));
      if (end == "else") {
        c_.expect(TokenKind::kBlockEnd);
        s->else_body = parse_body({"endif"}, end);
      }
    }
    c_.expect(TokenKind::kBlockEnd);
    return s;
  }

  std::vector<std::string> targets() {
    std::vector<std::string> names;
    do {
      names.push_back(c_.expect(TokenKind::kName).text);
    } while (c_.skip_op(","));
    return names;
  }

  std::unique_ptr<Stmt> for_statement(int line) {
    auto s = stmt(StmtKind::kFor, line);
    const bool parenthesized = c_.skip_op("(");
    s->targets = targets();
    if (parenthesized) c_.expect_op(")");
    c_.expect_name("in");
    s->expr = e_.or_expression();
    if (c_.skip_name("if")) s->condition = e_.or_expression();
    if (c_.skip_name("recursive")) c_.fail(c_.cur(), "recursive loops are not supported");
    c_.expect(TokenKind::kBlockEnd);
    std::string end;
    ++loops_;
    s->body = parse_body({"else", "endfor"}, end);
    --loops_;
    if (end == "else") {
      c_.expect(TokenKind::kBlockEnd);
      s->else_body = parse_body({"endfor"}, end);
    }
    c_.expect(TokenKind::kBlockEnd);
    return s;
  }

  std::unique_ptr<Stmt> set_statement(int line) {
    auto s = stmt(StmtKind::kSet, line);
    s->targets = targets();
    if (s->targets.size() == 1 && c_.skip_op(".")) s->attribute = c_.expect(TokenKind::kName).text;
    if (c_.cur().kind == TokenKind::kBlockEnd && s->targets.size() == 1 && s->attribute.empty()) {
      c_.advance();
      s->kind = StmtKind::kSetBlock;
      std::string end;
      s->body = parse_body({"endset"}, end);
      c_.expect(TokenKind::kBlockEnd);
      return s;
    }
    c_.expect_op("=");
    s->expr = e_.tuple_expression();
    c_.expect(TokenKind::kBlockEnd);
    return s;
  }

  std::unique_ptr<Stmt> macro_statement(int line) {
    auto s = stmt(StmtKind::kMacro, line);
    s->text = c_.expect(TokenKind::kName).text;
    params(*s);
    c_.expect(TokenKind::kBlockEnd);
    std::string end;
    const int loops = loops_;
    loops_ = 0;
    s->body = parse_body({"endmacro"}, end);
    loops_ = loops;
    c_.expect(TokenKind::kBlockEnd);
    return s;
  }

  void params(Stmt& s) {
    c_.expect_op("(");
    c_.until_closed(")", [&] {
      std::string p = c_.expect(TokenKind::kName).text;
      ExprPtr def = c_.skip_op("=") ? e_.expression() : nullptr;
      s.params.emplace_back(std::move(p), std::move(def));
    });
  }

  std::unique_ptr<Stmt> call_block(int line) {
    auto s = stmt(StmtKind::kCallBlock, line);
    if (c_.cur().kind == TokenKind::kOp && c_.cur().text == "(") params(*s);
    s->expr = e_.expression();
    if (s->expr->kind != ExprKind::kCall) c_.fail(c_.cur(), "expected a call after 'call'");
    c_.expect(TokenKind::kBlockEnd);
    std::string end;
    s->body = parse_body({"endcall"}, end);
    c_.expect(TokenKind::kBlockEnd);
    return s;
  }

  // {% filter f(args) | g %}body{% endfilter %}: the body rendered into a name no template
  // spells, then written through the filters (a block of those two statements).
  std::unique_ptr<Stmt> filter_block(int line) {
    static const char* const kText = " filter block";
    auto subject = std::make_unique<Expr>();
    subject->kind = ExprKind::kName;
    subject->line = line;
    subject->name = kText;
    auto output = stmt(StmtKind::kOutput, line);
    output->expr = e_.filter_chain(std::move(subject));
    c_.expect(TokenKind::kBlockEnd);
    auto text = stmt(StmtKind::kSetBlock, line);
    text->targets = {kText};
    std::string end;
    text->body = parse_body({"endfilter"}, end);
    c_.expect(TokenKind::kBlockEnd);
    auto block = stmt(StmtKind::kBlock, line);
    block->body.push_back(std::move(text));
    block->body.push_back(std::move(output));
    return block;
  }

  std::unique_ptr<Stmt> plain_block(int line, const char* end_tag) {
    auto s = stmt(StmtKind::kBlock, line);
    c_.expect(TokenKind::kBlockEnd);
    std::string end;
    s->body = parse_body({end_tag}, end);
    c_.expect(TokenKind::kBlockEnd);
    return s;
  }

  TokenCursor c_;
  ExpressionParser e_;
  int loops_ = 0;
};

}  // namespace

Body parse(const std::vector<Token>& tokens, const std::string& name) { return Parser(tokens, name).run(); }

}  // namespace lmc::jinja
