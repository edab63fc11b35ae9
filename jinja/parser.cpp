// Recursive-descent parser of templates (parser.h).
#include "jinja/parser.h"

#include <charconv>
#include <cstdlib>
#include <initializer_list>

#include "support/error.h"

namespace lmc::jinja {

namespace {

constexpr int kMaxDepth = 200;

const char* kind_name(TokenKind k) {
  switch (k) {
    case TokenKind::kText: return "text";
    case TokenKind::kVarBegin: return "'{{'";
    case TokenKind::kVarEnd: return "'}}'";
    case TokenKind::kBlockBegin: return "'{%'";
    case TokenKind::kBlockEnd: return "'%}'";
    case TokenKind::kName: return "name";
    case TokenKind::kString: return "string";
    case TokenKind::kInt: return "integer";
    case TokenKind::kFloat: return "float";
    case TokenKind::kOp: return "operator";
    case TokenKind::kEof: return "end of template";
  }
  return "token";
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const std::string& name) : t_(tokens), name_(name) {}

  Body run() {
    std::string end;
    Body body = parse_body({}, end);
    return body;
  }

 private:
  // Statements up to a block tag named in `ends` (consumed up to its name; `end` says which).
  Body parse_body(std::initializer_list<const char*> ends, std::string& end) {
    Depth guard(*this);
    Body body;
    for (;;) {
      const Token& tok = cur();
      if (tok.kind == TokenKind::kEof) {
        if (ends.size() == 0) return body;
        std::string wanted;
        for (const char* e : ends) wanted += std::string(wanted.empty() ? "'" : " or '") + e + "'";
        fail(tok, "unexpected end of template, looking for " + wanted);
      }
      if (tok.kind == TokenKind::kText) {
        body.push_back(stmt(StmtKind::kText, tok.line));
        body.back()->text = tok.text;
        ++i_;
      } else if (tok.kind == TokenKind::kVarBegin) {
        ++i_;
        auto s = stmt(StmtKind::kOutput, tok.line);
        s->expr = expression();
        expect(TokenKind::kVarEnd);
        body.push_back(std::move(s));
      } else if (tok.kind == TokenKind::kBlockBegin) {
        const Token& word = t_[i_ + 1];
        for (const char* e : ends)
          if (word.kind == TokenKind::kName && word.text == e) {
            i_ += 2;
            end = e;
            return body;
          }
        ++i_;
        body.push_back(statement());
      } else {
        fail(tok, std::string("unexpected ") + kind_name(tok.kind));
      }
    }
  }

  std::unique_ptr<Stmt> statement() {
    const Token& word = cur();
    if (word.kind != TokenKind::kName) fail(word, "expected a tag name");
    ++i_;
    const std::string& w = word.text;
    if (w == "if") return if_statement(word.line);
    if (w == "for") return for_statement(word.line);
    if (w == "set") return set_statement(word.line);
    if (w == "macro") return macro_statement(word.line);
    if (w == "call") return call_block(word.line);
    if (w == "generation") return plain_block(word.line, "endgeneration");
    if (w == "break" || w == "continue") {
      if (loops_ == 0) fail(word, "'" + w + "' outside a for loop");
      expect(TokenKind::kBlockEnd);
      return stmt(w == "break" ? StmtKind::kBreak : StmtKind::kContinue, word.line);
    }
    fail(word, "unknown tag '" + w + "'");
  }

  std::unique_ptr<Stmt> if_statement(int line) {
    auto s = stmt(StmtKind::kIf, line);
    for (std::string end = "elif"; end == "elif";) {
      ExprPtr cond = expression();
      expect(TokenKind::kBlockEnd);
      Body body = parse_body({"elif", "else", "endif"}, end);
      s->branches.emplace_back(std::move(cond), std::move(body));
      if (end == "else") {
        expect(TokenKind::kBlockEnd);
        s->else_body = parse_body({"endif"}, end);
      }
    }
    expect(TokenKind::kBlockEnd);
    return s;
  }

  std::vector<std::string> targets() {
    std::vector<std::string> names;
    do {
      names.push_back(expect(TokenKind::kName).text);
    } while (skip_op(","));
    return names;
  }

  std::unique_ptr<Stmt> for_statement(int line) {
    auto s = stmt(StmtKind::kFor, line);
    const bool parenthesized = skip_op("(");
    s->targets = targets();
    if (parenthesized) expect_op(")");
    expect_name("in");
    s->expr = or_expression();
    if (skip_name("if")) s->condition = or_expression();
    if (skip_name("recursive")) fail(cur(), "recursive loops are not supported");
    expect(TokenKind::kBlockEnd);
    std::string end;
    ++loops_;
    s->body = parse_body({"else", "endfor"}, end);
    --loops_;
    if (end == "else") {
      expect(TokenKind::kBlockEnd);
      s->else_body = parse_body({"endfor"}, end);
    }
    expect(TokenKind::kBlockEnd);
    return s;
  }

  std::unique_ptr<Stmt> set_statement(int line) {
    auto s = stmt(StmtKind::kSet, line);
    s->targets = targets();
    if (s->targets.size() == 1 && skip_op(".")) s->attribute = expect(TokenKind::kName).text;
    if (cur().kind == TokenKind::kBlockEnd && s->targets.size() == 1 && s->attribute.empty()) {
      ++i_;
      s->kind = StmtKind::kSetBlock;
      std::string end;
      s->body = parse_body({"endset"}, end);
      expect(TokenKind::kBlockEnd);
      return s;
    }
    expect_op("=");
    s->expr = tuple_expression();
    expect(TokenKind::kBlockEnd);
    return s;
  }

  std::unique_ptr<Stmt> macro_statement(int line) {
    auto s = stmt(StmtKind::kMacro, line);
    s->text = expect(TokenKind::kName).text;
    params(*s);
    expect(TokenKind::kBlockEnd);
    std::string end;
    const int loops = loops_;
    loops_ = 0;
    s->body = parse_body({"endmacro"}, end);
    loops_ = loops;
    expect(TokenKind::kBlockEnd);
    return s;
  }

  void params(Stmt& s) {
    expect_op("(");
    until_closed(")", [&] {
      std::string p = expect(TokenKind::kName).text;
      ExprPtr def = skip_op("=") ? expression() : nullptr;
      s.params.emplace_back(std::move(p), std::move(def));
    });
  }

  std::unique_ptr<Stmt> call_block(int line) {
    auto s = stmt(StmtKind::kCallBlock, line);
    if (cur().kind == TokenKind::kOp && cur().text == "(") params(*s);
    s->expr = expression();
    if (s->expr->kind != ExprKind::kCall) fail(cur(), "expected a call after 'call'");
    expect(TokenKind::kBlockEnd);
    std::string end;
    s->body = parse_body({"endcall"}, end);
    expect(TokenKind::kBlockEnd);
    return s;
  }

  std::unique_ptr<Stmt> plain_block(int line, const char* end_tag) {
    auto s = stmt(StmtKind::kBlock, line);
    expect(TokenKind::kBlockEnd);
    std::string end;
    s->body = parse_body({end_tag}, end);
    expect(TokenKind::kBlockEnd);
    return s;
  }

  // Expressions, loosest binding first.
  ExprPtr tuple_expression() {
    ExprPtr first = expression();
    if (!(cur().kind == TokenKind::kOp && cur().text == ",")) return first;
    auto list = expr(ExprKind::kList, first->line);
    list->items.push_back(std::move(first));
    while (skip_op(",")) {
      if (cur().kind == TokenKind::kBlockEnd) break;
      list->items.push_back(expression());
    }
    return list;
  }

  ExprPtr expression() {
    Depth guard(*this);
    ExprPtr e = or_expression();
    while (cur().kind == TokenKind::kName && cur().text == "if") {
      auto c = expr(ExprKind::kCondition, cur().line);
      ++i_;
      ExprPtr cond = or_expression();
      ExprPtr otherwise = skip_name("else") ? expression() : nullptr;
      c->items.push_back(std::move(e));
      c->items.push_back(std::move(cond));
      c->items.push_back(std::move(otherwise));
      e = std::move(c);
    }
    return e;
  }

  ExprPtr binary_chain(ExprPtr (Parser::*next)(), std::initializer_list<const char*> ops, bool words) {
    ExprPtr left = (this->*next)();
    for (;;) {
      const Token& tok = cur();
      const char* found = nullptr;
      for (const char* op : ops)
        if (tok.kind == (words ? TokenKind::kName : TokenKind::kOp) && tok.text == op) found = op;
      if (!found) return left;
      ++i_;
      auto b = expr(ExprKind::kBinary, tok.line);
      b->name = found;
      b->items.push_back(std::move(left));
      b->items.push_back((this->*next)());
      left = std::move(b);
    }
  }

  ExprPtr or_expression() { return binary_chain(&Parser::and_expression, {"or"}, true); }
  ExprPtr and_expression() { return binary_chain(&Parser::not_expression, {"and"}, true); }

  ExprPtr not_expression() {
    if (cur().kind == TokenKind::kName && cur().text == "not") {
      Depth guard(*this);
      auto u = expr(ExprKind::kUnary, cur().line);
      ++i_;
      u->name = "not";
      u->items.push_back(not_expression());
      return u;
    }
    return compare();
  }

  ExprPtr compare() {
    ExprPtr first = math1();
    ExprPtr c;
    for (;;) {
      const Token& tok = cur();
      std::string op;
      if (tok.kind == TokenKind::kOp &&
          (tok.text == "==" || tok.text == "!=" || tok.text == "<" || tok.text == ">" || tok.text == "<=" ||
           tok.text == ">=")) {
        op = tok.text;
        ++i_;
      } else if (tok.kind == TokenKind::kName && tok.text == "in") {
        op = "in";
        ++i_;
      } else if (tok.kind == TokenKind::kName && tok.text == "not" && t_[i_ + 1].kind == TokenKind::kName &&
                 t_[i_ + 1].text == "in") {
        op = "not in";
        i_ += 2;
      } else {
        return c ? std::move(c) : std::move(first);
      }
      if (!c) {
        c = expr(ExprKind::kCompare, tok.line);
        c->items.push_back(std::move(first));
      }
      c->ops.push_back(op);
      c->items.push_back(math1());
    }
  }

  ExprPtr math1() { return binary_chain(&Parser::concat, {"+", "-"}, false); }
  ExprPtr concat() { return binary_chain(&Parser::math2, {"~"}, false); }
  ExprPtr math2() { return binary_chain(&Parser::power, {"*", "/", "//", "%"}, false); }
  ExprPtr power() { return binary_chain(&Parser::unary_with_filters, {"**"}, false); }
  ExprPtr unary_with_filters() { return unary(true); }

  ExprPtr unary(bool with_filters) {
    Depth guard(*this);
    const Token& tok = cur();
    ExprPtr e;
    if (tok.kind == TokenKind::kOp && (tok.text == "-" || tok.text == "+")) {
      ++i_;
      e = expr(ExprKind::kUnary, tok.line);
      e->name = tok.text;
      e->items.push_back(unary(false));
    } else {
      e = primary();
    }
    e = postfix(std::move(e));
    return with_filters ? filters(std::move(e)) : std::move(e);
  }

  ExprPtr primary() {
    const Token& tok = cur();
    if (tok.kind == TokenKind::kName) {
      ++i_;
      const std::string& w = tok.text;
      if (w == "true" || w == "True") return literal(Value(true), tok.line);
      if (w == "false" || w == "False") return literal(Value(false), tok.line);
      if (w == "none" || w == "None") return literal(Value(None{}), tok.line);
      auto n = expr(ExprKind::kName, tok.line);
      n->name = w;
      return n;
    }
    if (tok.kind == TokenKind::kString) {
      std::string s;
      while (cur().kind == TokenKind::kString) s += t_[i_++].text;
      return literal(Value(std::move(s)), tok.line);
    }
    if (tok.kind == TokenKind::kInt) {
      ++i_;
      return int_literal(tok);
    }
    if (tok.kind == TokenKind::kFloat) {
      ++i_;
      return literal(Value(std::strtod(tok.text.c_str(), nullptr)), tok.line);
    }
    if (tok.kind == TokenKind::kOp && tok.text == "(") {
      ++i_;
      if (skip_op(")")) return tuple_literal(tok.line);
      ExprPtr e = expression();
      if (skip_op(",")) {
        auto list = tuple_literal(tok.line);
        list->items.push_back(std::move(e));
        while (!skip_op(")")) {
          list->items.push_back(expression());
          if (!skip_op(",")) {
            expect_op(")");
            break;
          }
        }
        return list;
      }
      expect_op(")");
      return e;
    }
    if (tok.kind == TokenKind::kOp && tok.text == "[") {
      ++i_;
      auto list = expr(ExprKind::kList, tok.line);
      until_closed("]", [&] { list->items.push_back(expression()); });
      return list;
    }
    if (tok.kind == TokenKind::kOp && tok.text == "{") {
      ++i_;
      auto dict = expr(ExprKind::kDict, tok.line);
      until_closed("}", [&] {
        dict->items.push_back(expression());
        expect_op(":");
        dict->items.push_back(expression());
      });
      return dict;
    }
    fail(tok, "unexpected " + describe(tok));
  }

  ExprPtr postfix(ExprPtr e) {
    for (;;) {
      const Token& tok = cur();
      if (tok.kind != TokenKind::kOp) return e;
      if (tok.text == ".") {
        ++i_;
        const Token& attr = cur();
        ++i_;
        if (attr.kind == TokenKind::kName) {
          e = wrap(ExprKind::kAttribute, std::move(e), tok.line);
          e->name = attr.text;
        } else if (attr.kind == TokenKind::kInt) {
          auto index = int_literal(attr);
          e = wrap(ExprKind::kItem, std::move(e), tok.line);
          e->items.push_back(std::move(index));
        } else {
          fail(attr, "expected a name after '.'");
        }
      } else if (tok.text == "[") {
        ++i_;
        e = subscript(std::move(e), tok.line);
      } else if (tok.text == "(") {
        e = call(std::move(e));
      } else {
        return e;
      }
    }
  }

  ExprPtr tuple_literal(int line) {
    auto e = expr(ExprKind::kList, line);
    e->name = "tuple";
    return e;
  }

  ExprPtr int_literal(const Token& tok) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), v);
    if (ec != std::errc()) fail(tok, "integer literal " + tok.text + " out of range");
    return literal(Value(v), tok.line);
  }

  ExprPtr subscript(ExprPtr target, int line) {
    ExprPtr bounds[3];
    int part = 0;
    bool slice = false;
    for (;;) {
      if (skip_op("]")) break;
      if (skip_op(":")) {
        slice = true;
        if (++part > 2) fail(cur(), "a slice has at most three parts");
        continue;
      }
      if (bounds[part]) fail(cur(), "expected ']' or ':'");
      bounds[part] = expression();
    }
    if (!slice) {
      if (!bounds[0]) fail(cur(), "expected a subscript");
      auto e = wrap(ExprKind::kItem, std::move(target), line);
      e->items.push_back(std::move(bounds[0]));
      return e;
    }
    auto e = wrap(ExprKind::kSlice, std::move(target), line);
    for (auto& b : bounds) e->items.push_back(std::move(b));
    return e;
  }

  ExprPtr call(ExprPtr callee) {
    auto c = wrap(ExprKind::kCall, std::move(callee), cur().line);
    arguments(*c);
    return c;
  }

  void arguments(Expr& e) {
    expect_op("(");
    until_closed(")", [&] {
      if (cur().kind == TokenKind::kName && t_[i_ + 1].kind == TokenKind::kOp && t_[i_ + 1].text == "=") {
        std::string key = cur().text;
        i_ += 2;
        e.keywords.emplace_back(std::move(key), expression());
      } else {
        if (!e.keywords.empty()) fail(cur(), "a positional argument follows a keyword argument");
        e.items.push_back(expression());
      }
    });
  }

  ExprPtr filters(ExprPtr e) {
    for (;;) {
      const Token& tok = cur();
      if (tok.kind == TokenKind::kOp && tok.text == "|") {
        ++i_;
        e = wrap(ExprKind::kFilter, std::move(e), tok.line);
        e->name = dotted_name();
        if (cur().kind == TokenKind::kOp && cur().text == "(") arguments(*e);
      } else if (tok.kind == TokenKind::kName && tok.text == "is") {
        ++i_;
        e = wrap(ExprKind::kTest, std::move(e), tok.line);
        e->negated = skip_name("not");
        e->name = dotted_name();
        test_arguments(*e);
      } else if (tok.kind == TokenKind::kOp && tok.text == "(") {
        e = call(std::move(e));
      } else {
        return e;
      }
    }
  }

  void test_arguments(Expr& e) {
    const Token& tok = cur();
    if (tok.kind == TokenKind::kOp && tok.text == "(") return arguments(e);
    const bool starts_primary = tok.kind == TokenKind::kString || tok.kind == TokenKind::kInt ||
                                tok.kind == TokenKind::kFloat ||
                                (tok.kind == TokenKind::kOp && (tok.text == "[" || tok.text == "{")) ||
                                (tok.kind == TokenKind::kName && tok.text != "else" && tok.text != "or" &&
                                 tok.text != "and" && tok.text != "is" && tok.text != "if" && tok.text != "not" &&
                                 tok.text != "in");
    if (starts_primary) e.items.push_back(postfix(primary()));
  }

  std::string dotted_name() {
    std::string n = expect(TokenKind::kName).text;
    while (cur().kind == TokenKind::kOp && cur().text == "." && t_[i_ + 1].kind == TokenKind::kName) {
      n += "." + t_[i_ + 1].text;
      i_ += 2;
    }
    return n;
  }

  // Helpers.
  // Items separated by commas up to `close` (a trailing comma allowed), each read by `item`.
  template <class ReadItem>
  void until_closed(const char* close, ReadItem item) {
    for (bool first = true; !skip_op(close); first = false) {
      if (!first) expect_op(",");
      if (skip_op(close)) break;
      item();
    }
  }

  struct Depth {
    explicit Depth(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxDepth) p_.fail(p_.cur(), "template nested deeper than " + std::to_string(kMaxDepth));
    }
    ~Depth() { --p_.depth_; }
    Parser& p_;
  };

  const Token& cur() const { return t_[i_]; }
  std::unique_ptr<Stmt> stmt(StmtKind k, int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = k;
    s->line = line;
    return s;
  }
  ExprPtr expr(ExprKind k, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->line = line;
    return e;
  }
  ExprPtr wrap(ExprKind k, ExprPtr inner, int line) {
    auto e = expr(k, line);
    e->items.push_back(std::move(inner));
    return e;
  }
  ExprPtr literal(Value v, int line) {
    auto e = expr(ExprKind::kLiteral, line);
    e->value = std::move(v);
    return e;
  }
  static std::string describe(const Token& t) {
    if (t.kind == TokenKind::kOp || t.kind == TokenKind::kName) return "'" + t.text + "'";
    return kind_name(t.kind);
  }
  [[noreturn]] void fail(const Token& t, const std::string& what) const {
    throw error_at(name_ + ":" + std::to_string(t.line), what);
  }
  const Token& expect(TokenKind k) {
    const Token& t = cur();
    if (t.kind != k) fail(t, std::string("expected ") + kind_name(k) + ", found " + describe(t));
    ++i_;
    return t;
  }
  void expect_op(const char* op) {
    if (!skip_op(op)) fail(cur(), std::string("expected '") + op + "', found " + describe(cur()));
  }
  void expect_name(const char* n) {
    if (!skip_name(n)) fail(cur(), std::string("expected '") + n + "', found " + describe(cur()));
  }
  bool skip_op(const char* op) {
    if (cur().kind == TokenKind::kOp && cur().text == op) return ++i_, true;
    return false;
  }
  bool skip_name(const char* n) {
    if (cur().kind == TokenKind::kName && cur().text == n) return ++i_, true;
    return false;
  }

  const std::vector<Token>& t_;
  const std::string& name_;
  size_t i_ = 0;
  int depth_ = 0;
  int loops_ = 0;
};

}  // namespace

Body parse(const std::vector<Token>& tokens, const std::string& name) { return Parser(tokens, name).run(); }

}  // namespace lmc::jinja
