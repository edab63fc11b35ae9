// Chat formats: which family a template is, the default system message it carries, how a
// conversation becomes turn texts, and the chat: forms of a model definition.
#include <gtest/gtest.h>

#include <fstream>

#include "lmc_test_paths.h"
#include "models/chat/chat_conversation.h"
#include "models/chat/chat_format.h"
#include "models/model_def.h"
#include "support/regular_file.h"
#include "tests/models/expect_error.h"
#include "tests/models/temp_dir.h"

namespace lmc::models {
namespace {

std::string template_file(const std::string& name) {
  return read_regular_file(std::string(LMC_SOURCE_DIR) + "/tests/models/chat_templates/" + name);
}

TEST(ChatFormat, SmolLm2TemplateIsChatmlWithItsDefaultSystemMessage) {
  auto f = chat_format_of_template(template_file("smollm2.jinja"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->family, "chatml");
  EXPECT_EQ(f->default_system, "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
}

TEST(ChatFormat, DefaultSystemMessageInAnEscapedLiteral) {
  auto f = chat_format_of_template(template_file("qwen2.jinja"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->default_system, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
}

TEST(ChatFormat, TemplatesWithoutADefaultHaveNone) {
  for (const char* name : {"llama3.jinja", "phi3.jinja", "mistral-v7.jinja", "gemma.jinja"}) {
    auto f = chat_format_of_template(template_file(name));
    ASSERT_TRUE(f) << name;
    EXPECT_EQ(f->default_system, "") << name;
  }
}

TEST(ChatFormat, UnknownTemplatesAreNotGuessed) {
  EXPECT_FALSE(chat_format_of_template(""));
  EXPECT_FALSE(chat_format_of_template("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"));
}

TEST(ChatFormat, EveryFamilyIsKnownByName) {
  for (const std::string& name : chat_family_names()) {
    auto f = chat_family(name);
    ASSERT_TRUE(f) << name;
    EXPECT_EQ(f->family, name);
    EXPECT_NO_THROW(ir::check_chat_format(*f, name));
  }
  EXPECT_FALSE(chat_family("alpaca"));
}

TEST(Conversation, TurnsFollowEachOtherInTheCache) {
  Conversation c(*chat_family("chatml"), std::nullopt);
  EXPECT_EQ(c.ask("Hi"), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(c.ask("More"), "<|im_end|>\n<|im_start|>user\nMore<|im_end|>\n<|im_start|>assistant\n");
}

TEST(Conversation, SystemMessageJoinsTheFirstUserTurnWhereTheFormatHasNoSystemTurn) {
  Conversation c(*chat_family("gemma"), "Be brief.");
  EXPECT_EQ(c.ask("  Why?\n"), "<start_of_turn>user\nBe brief.\n\nWhy?<end_of_turn>\n<start_of_turn>model\n");
  EXPECT_EQ(c.ask("Ok"), "<end_of_turn>\n<start_of_turn>user\nOk<end_of_turn>\n<start_of_turn>model\n");
}

TEST(Conversation, CommandRWritesCoheresTurnTokens) {
  Conversation c(*chat_family("command-r"), "You are a test.");
  EXPECT_EQ(c.ask("Hi there"),
            "<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>You are a test.<|END_OF_TURN_TOKEN|><|START_OF_TURN_TOKEN|>"
            "<|USER_TOKEN|>Hi there<|END_OF_TURN_TOKEN|><|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>");
}

TEST(Conversation, EmptySystemMessageMeansNone) {
  ir::ChatFormat f = *chat_family("chatml");
  f.default_system = "default";
  EXPECT_EQ(Conversation(f, "").ask("x"), "<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(Conversation(f, std::nullopt).ask("x").rfind("<|im_start|>system\ndefault<|im_end|>\n", 0), 0u);
}

TEST(Conversation, RefusesWhatTheFormatCannotSay) {
  test::expect_error([] { Conversation(ir::ChatFormat{}, std::nullopt); }, {"no chat format"});
  ir::ChatFormat no_system = *chat_family("mistral-v3");
  no_system.system_merge.clear();
  test::expect_error([&] { Conversation(no_system, "sys"); }, {"takes no system message"});
}

TEST(CheckChatFormat, NamesWhatIsWrong) {
  ir::ChatFormat f = *chat_family("chatml");
  f.turns["user"] = "no placeholder";
  test::expect_error([&] { ir::check_chat_format(f, "m.yaml:3:7"); }, {"m.yaml:3:7", "'user'", "{content}"});
  f = *chat_family("gemma");
  f.turns.erase("assistant");
  test::expect_error([&] { ir::check_chat_format(f, "here"); }, {"here", "no 'assistant' turn"});
  f = *chat_family("gemma");
  f.system_merge = "{content}";
  test::expect_error([&] { ir::check_chat_format(f, "here"); }, {"system_merge", "{system}"});
}

// The chat: key of a model definition, on a copy of models/llama.yaml.
class ChatDefinition : public ::testing::Test {
 protected:
  ModelDef with_chat(const std::string& chat) {
    std::string yaml = read_regular_file(std::string(LMC_SOURCE_DIR) + "/models/llama.yaml");
    // The definition's own "chat: chatml" line gives way to the form under test (no
    // <regex>: GCC 12's fails -Wmaybe-uninitialized in the sanitizer build).
    const std::string line = "\nchat: chatml\n";
    size_t at = yaml.find(line);
    EXPECT_NE(at, std::string::npos);
    yaml.replace(at, line.size(), "\n" + chat + "\n");
    std::string path = (dir_.path() / "llama.yaml").string();
    std::ofstream(path) << yaml;
    return read_model_def(path);
  }
  std::string path() const { return (dir_.path() / "llama.yaml").string(); }
  test::TempDir dir_;
};

TEST_F(ChatDefinition, AFamilyByName) { EXPECT_EQ(with_chat("chat: llama3").chat, *chat_family("llama3")); }

TEST_F(ChatDefinition, AFamilyWithItsOwnDefaultSystemMessage) {
  ModelDef d = with_chat("chat: {family: chatml, default_system: Be kind.}");
  EXPECT_EQ(d.chat.family, "chatml");
  EXPECT_EQ(d.chat.default_system, "Be kind.");
}

TEST_F(ChatDefinition, ASpelledOutFormat) {
  ModelDef d = with_chat(
      "chat:\n  turn: \"<{role}>{content}</{role}>\"\n  roles: {assistant: bot}\n  system_merge: \"{system}: "
      "{content}\"");
  EXPECT_EQ(d.chat.family, "custom");
  EXPECT_EQ(d.chat.turns.at("assistant"), "<bot>{content}</bot>");
  EXPECT_EQ(d.chat.turns.count("system"), 0u);
  EXPECT_EQ(Conversation(d.chat, "S").ask("U"), "<user>S: U</user><bot>");
}

TEST_F(ChatDefinition, MistakesNameTheirPlace) {
  test::expect_error([&] { with_chat("chat: alpaca"); }, {"llama.yaml:", "unknown chat format 'alpaca'", "chatml"});
  test::expect_error([&] { with_chat("chat: {family: chatml, generation: x}"); }, {"llama.yaml:", "chat.generation"});
  test::expect_error([&] { with_chat("chat: {turn: \"{role}\"}"); }, {"llama.yaml:", "{content}"});
  test::expect_error([&] { with_chat("chat: {default_system: x}"); }, {"llama.yaml:", "either 'family' or 'turn'"});
  test::expect_error([&] { with_chat("chat: [chatml]"); }, {"llama.yaml:", "format name or a mapping"});
}

}  // namespace
}  // namespace lmc::models
