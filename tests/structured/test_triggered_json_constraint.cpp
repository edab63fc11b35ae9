// TriggeredJsonConstraint on a made-up vocabulary: free text when the answer does not begin
// with the trigger; JSON of the grammar after it, ending where the JSON does; and no token
// that would run past the trigger's end while the answer may still become it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "structured/schema_compiler.h"
#include "structured/triggered_json_constraint.h"

namespace lmc::structured {
namespace {

// Every byte, the trigger in pieces, and tokens that write a trigger and more.
std::shared_ptr<const TokenVocabulary> vocabulary(std::vector<std::string>& texts) {
  for (int b = 1; b < 128; ++b) texts.push_back(std::string(1, static_cast<char>(b)));
  for (const char* t : {"<tool", "_call>", "\n", "<tool_call>\n{", "{\"a\":", "1}", "hello", "{\"a\":1"})
    texts.push_back(t);
  texts.push_back("");  // the end of text
  return std::make_shared<TokenVocabulary>(texts, std::vector<int32_t>{static_cast<int32_t>(texts.size() - 1)});
}

int32_t id_of(const std::vector<std::string>& texts, const std::string& t) {
  return static_cast<int32_t>(std::find(texts.begin(), texts.end(), t) - texts.begin());
}

std::shared_ptr<const Grammar> grammar() {
  return compile_schema(nlohmann::ordered_json::parse(
      R"({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]})"));
}

TEST(TriggeredJsonConstraint, AnAnswerThatDoesNotBeginWithTheTriggerIsFree) {
  std::vector<std::string> texts;
  auto vocab = vocabulary(texts);
  TriggeredJsonConstraint c({"<tool_call>\n", 0, "", "", ""}, grammar(), vocab, 100);
  EXPECT_TRUE(c.accept(id_of(texts, "hello")));
  std::vector<float> row(vocab->size(), 0.0f);
  EXPECT_TRUE(c.mask(row));
  EXPECT_TRUE(std::all_of(row.begin(), row.end(), [](float v) { return v == 0.0f; }));
  EXPECT_TRUE(c.accept(id_of(texts, "<tool")));  // too late: the answer began otherwise
  EXPECT_FALSE(c.complete());
}

TEST(TriggeredJsonConstraint, AfterTheTriggerTheAnswerIsJsonAndEndsWithIt) {
  std::vector<std::string> texts;
  auto vocab = vocabulary(texts);
  TriggeredJsonConstraint c({"<tool_call>\n", 0, "", "", ""}, grammar(), vocab, 100);
  std::vector<float> row(vocab->size(), 0.0f);
  c.mask(row);
  EXPECT_TRUE(std::isinf(row[id_of(texts, "<tool_call>\n{")]));  // it would run past the trigger
  EXPECT_EQ(row[id_of(texts, "<tool")], 0.0f);
  EXPECT_EQ(row[id_of(texts, "hello")], 0.0f);
  for (const char* t : {"<tool", "_call>", "\n"}) ASSERT_TRUE(c.accept(id_of(texts, t)));
  std::fill(row.begin(), row.end(), 0.0f);
  c.mask(row);
  EXPECT_TRUE(std::isinf(row[id_of(texts, "hello")]));  // now only JSON of the grammar
  EXPECT_EQ(row[id_of(texts, "{\"a\":")], 0.0f);
  ASSERT_TRUE(c.accept(id_of(texts, "{\"a\":")));
  ASSERT_TRUE(c.accept(id_of(texts, "1}")));
  EXPECT_TRUE(c.complete());
}

// Llama 3's calls have no opening text: the trigger is the JSON's own beginning.
TEST(TriggeredJsonConstraint, ATriggerMayBeTheJsonsFirstBytes) {
  std::vector<std::string> texts;
  auto vocab = vocabulary(texts);
  TriggeredJsonConstraint c({"{\"a\":", 5, "", "", ""}, grammar(), vocab, 100);
  ASSERT_TRUE(c.accept(id_of(texts, "{\"a\":")));
  std::vector<float> row(vocab->size(), 0.0f);
  c.mask(row);
  EXPECT_TRUE(std::isinf(row[id_of(texts, "hello")]));
  EXPECT_TRUE(std::isinf(row[id_of(texts, "{")]));  // the object is open already
  EXPECT_FALSE(c.complete());
  ASSERT_TRUE(c.accept(id_of(texts, "1}")));
  EXPECT_TRUE(c.complete());
  TriggeredJsonConstraint other({"{\"a\":", 5, "", "", ""}, grammar(), vocab, 100);
  for (const char* t : {"{", "\"", "b"}) ASSERT_TRUE(other.accept(id_of(texts, t)));
  EXPECT_FALSE(other.complete());  // not the trigger: free text, never JSON's end
}

// Llama 3.1's calls may begin with <|python_tag|>; a model that writes it as text rather
// than as its control token still begins a call, completed under the grammar.
TEST(TriggeredJsonConstraint, ATriggerAfterItsLeadStartsTheJsonToo) {
  std::vector<std::string> texts;
  auto vocab = vocabulary(texts);
  TriggeredJsonConstraint c({"{\"a\":", 5, "", "", "<|python_tag|>"}, grammar(), vocab, 100);
  for (char b : std::string("<|python_tag|>")) ASSERT_TRUE(c.accept(id_of(texts, std::string(1, b))));
  std::vector<float> row(vocab->size(), 0.0f);
  c.mask(row);
  EXPECT_TRUE(std::isinf(row[id_of(texts, "{\"a\":1")]));  // it would run past the trigger
  EXPECT_EQ(row[id_of(texts, "hello")], 0.0f);                 // the answer may still be text
  ASSERT_TRUE(c.accept(id_of(texts, "{\"a\":")));
  std::fill(row.begin(), row.end(), 0.0f);
  c.mask(row);
  EXPECT_TRUE(std::isinf(row[id_of(texts, "hello")]));  // now only JSON of the grammar
  ASSERT_TRUE(c.accept(id_of(texts, "1}")));
  EXPECT_TRUE(c.complete());
  TriggeredJsonConstraint plain({"{\"a\":", 5, "", "", "<|python_tag|>"}, grammar(), vocab, 100);
  ASSERT_TRUE(plain.accept(id_of(texts, "{\"a\":")));  // without the lead, as before
  ASSERT_TRUE(plain.accept(id_of(texts, "1}")));
  EXPECT_TRUE(plain.complete());
  TriggeredJsonConstraint other({"{\"a\":", 5, "", "", "<|python_tag|>"}, grammar(), vocab, 100);
  for (char b : std::string("<|python")) ASSERT_TRUE(other.accept(id_of(texts, std::string(1, b))));
  ASSERT_TRUE(other.accept(id_of(texts, "hello")));
  std::fill(row.begin(), row.end(), 0.0f);
  other.mask(row);
  EXPECT_TRUE(std::all_of(row.begin(), row.end(), [](float v) { return v == 0.0f; }));  // text after all
}

// Whether token `t` survives the constraint's mask now.
bool allowed(TriggeredJsonConstraint& c, const std::vector<std::string>& texts, const std::string& t) {
  std::vector<float> row(texts.size(), 0.0f);
  c.mask(row);
  return !std::isinf(row[id_of(texts, t)]);
}

void write(TriggeredJsonConstraint& c, const std::vector<std::string>& texts, const std::string& bytes) {
  for (char b : bytes) ASSERT_TRUE(c.accept(id_of(texts, std::string(1, b)))) << bytes;
}

// Hermes tool calls one after another: after a value the answer may end, write the closing
// and end, or write the closing and the next opening and another value.
TEST(TriggeredJsonConstraint, ValuesMayFollowOneAnotherThroughTheJoiningLiteral) {
  std::vector<std::string> texts;
  auto vocab = vocabulary(texts);
  const std::string eog;  // the end of text's (empty) text
  TriggeredJsonConstraint c({"", 0, "\n</tool_call>", "\n<tool_call>\n", ""}, grammar(), vocab, 100);
  ASSERT_TRUE(c.accept(id_of(texts, "{\"a\":")));
  ASSERT_TRUE(c.accept(id_of(texts, "1}")));
  EXPECT_FALSE(c.complete());  // another value may follow
  EXPECT_TRUE(allowed(c, texts, eog));
  EXPECT_TRUE(allowed(c, texts, "\n"));
  EXPECT_FALSE(allowed(c, texts, "hello"));
  EXPECT_FALSE(allowed(c, texts, "{"));
  write(c, texts, "\n</tool");
  EXPECT_FALSE(allowed(c, texts, eog));  // not in the middle of the closing
  write(c, texts, "_call>");
  EXPECT_TRUE(allowed(c, texts, eog));  // after it
  EXPECT_FALSE(allowed(c, texts, "<tool_call>\n{"));
  write(c, texts, "\n");
  ASSERT_TRUE(c.accept(id_of(texts, "<tool")));
  ASSERT_TRUE(c.accept(id_of(texts, "_call>")));
  ASSERT_TRUE(c.accept(id_of(texts, "\n")));
  EXPECT_FALSE(allowed(c, texts, eog));
  EXPECT_FALSE(allowed(c, texts, "hello"));  // a value again
  ASSERT_TRUE(c.accept(id_of(texts, "{\"a\":")));
  ASSERT_TRUE(c.accept(id_of(texts, "1}")));
  EXPECT_TRUE(allowed(c, texts, eog));
}

TEST(TriggeredJsonConstraint, NoJoiningLiteralTheTokensLeftCannotFinish) {
  std::vector<std::string> texts;
  auto vocab = vocabulary(texts);
  TriggeredJsonConstraint c({"", 0, "\n</tool_call>", "\n<tool_call>\n", ""}, grammar(), vocab, 4);
  ASSERT_TRUE(c.accept(id_of(texts, "{\"a\":")));
  ASSERT_TRUE(c.accept(id_of(texts, "1}")));
  EXPECT_FALSE(allowed(c, texts, "\n"));
  EXPECT_TRUE(allowed(c, texts, ""));
}

}  // namespace
}  // namespace lmc::structured
