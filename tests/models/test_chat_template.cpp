// ChatTemplate: a model's own Jinja chat template, as a GGUF carries it, rendered as Hugging
// Face's apply_chat_template renders it; the family turns as the fallback for weights without
// one; a BOS the template writes not read twice; tools in the template's context; bad
// templates named with their line.
#include <gtest/gtest.h>

#include "lmc_test_paths.h"
#include "models/chat/chat_format.h"
#include "models/chat/chat_template.h"
#include "models/model_chat.h"
#include "models/weight_source.h"
#include "support/regular_file.h"
#include "tests/models/expect_error.h"
#include "tests/models/gguf_writer.h"
#include "tests/models/temp_dir.h"

namespace lmc::models {
namespace {

using ojson = nlohmann::ordered_json;

std::string smollm2_template() {
  return read_regular_file(std::string(LMC_SOURCE_DIR) + "/tests/models/chat_templates/smollm2.jinja");
}

// The chat format a GGUF with this metadata gives a definition that reads its tokenizer.
ir::ChatFormat format_of_gguf(const std::string& chat_template, const ir::ChatFormat& definition_chat) {
  test::GgufWriter w;
  w.header(0, chat_template.empty() ? 1 : 2);
  w.key("general.architecture", test::kString).str("llama");
  if (!chat_template.empty()) w.key("tokenizer.chat_template", test::kString).str(chat_template);
  test::TempDir dir;
  const std::string path = dir.file("chat.gguf");
  test::write_bytes(path, w.bytes);
  ModelDef def;
  def.tokenizer = "gguf";
  def.chat = definition_chat;
  return model_chat_format(def, *WeightSource::open(path));
}

ojson conversation() {
  return ojson::array({{{"role", "user"}, {"content", "Hi"}},
                       {{"role", "assistant"}, {"content", "Hello!"}},
                       {{"role", "user"}, {"content", "Bye"}}});
}

std::string chatml(const std::string& role, const std::string& content) {
  return "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
}

TEST(ChatTemplate, RendersTheGgufsOwnTemplate) {
  ir::ChatFormat f = format_of_gguf(smollm2_template(), {});
  EXPECT_EQ(f.jinja, smollm2_template());
  EXPECT_EQ(f.family, "chatml");  // recognized too, for artifacts read by an older lmc
  ChatTemplate t(f, "chat.gguf", {"<|im_start|>", "<|im_end|>"});
  EXPECT_TRUE(t.own_template());
  const std::string system = chatml("system", "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
  EXPECT_EQ(t.render(conversation(), true), system + chatml("user", "Hi") + chatml("assistant", "Hello!") +
                                                chatml("user", "Bye") + "<|im_start|>assistant\n");
  EXPECT_EQ(t.render(conversation(), false),
            system + chatml("user", "Hi") + chatml("assistant", "Hello!") + chatml("user", "Bye"));
}

TEST(ChatTemplate, ATemplateOfNoKnownFamilyStillChatsWithBosAndEos) {
  const std::string jinja =
      "{{ bos_token }}{% for m in messages %}[{{ m.role | upper }}] {{ m.content }}{% if m.role == 'assistant' %}"
      "{{ eos_token }}{% endif %}\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT] {% endif %}";
  ir::ChatFormat f = format_of_gguf(jinja, {});
  EXPECT_TRUE(f.turns.empty());
  EXPECT_FALSE(f.empty());
  ChatTemplate t(f, "chat.gguf", {"<s>", "</s>"});
  const std::string text = t.render(conversation(), true);
  // trim_blocks: the newline after a block tag goes, as in Hugging Face's rendering.
  EXPECT_EQ(text, "<s>[USER] Hi[ASSISTANT] Hello!</s>[USER] Bye[ASSISTANT] ");
  // A tokenizer that adds BOS itself is not given the template's too.
  EXPECT_EQ(t.for_encoding(text, true), text.substr(3));
  EXPECT_EQ(t.for_encoding(text, false), text);
}

TEST(ChatTemplate, WeightsWithoutATemplateFallBackToTheFamily) {
  ir::ChatFormat f = format_of_gguf("", *chat_family("chatml"));
  EXPECT_EQ(f.jinja, "");
  ChatTemplate t(f, "chat.gguf", {});
  EXPECT_FALSE(t.own_template());
  EXPECT_EQ(t.description(), "the chatml format");
  ojson messages = t.opening("Be brief.");
  for (const auto& m : conversation()) messages.push_back(m);
  const std::string whole =
      chatml("system", "Be brief.") + chatml("user", "Hi") + chatml("assistant", "Hello!") + chatml("user", "Bye");
  EXPECT_EQ(t.render(messages, true), whole + "<|im_start|>assistant\n");
  EXPECT_EQ(t.render(messages, false), whole);
  EXPECT_EQ(t.single_turn(std::nullopt, "Hi", false), chatml("user", "Hi") + "<|im_start|>assistant\n");
  test::expect_error([&] { t.render(ojson::array({{{"role", "assistant"}, {"content", "x"}}}), true); },
                     {"alternate user and assistant", "message 0"});
}

TEST(ChatTemplate, AnEmptySystemMessageStopsTheDefault) {
  ChatTemplate family(*chat_family("chatml"), "x", {});
  EXPECT_EQ(family.opening("").size(), 1u);  // "" overrides the family's default system message
  EXPECT_EQ(family.opening(std::nullopt).size(), 0u);
  ir::ChatFormat own;
  own.jinja = smollm2_template();
  ChatTemplate jinja(own, "x", {});
  EXPECT_EQ(jinja.opening("").size(), 1u);  // SmolLM2's renders an empty system turn
  EXPECT_EQ(jinja.render(jinja.opening(""), false), "<|im_start|>system\n<|im_end|>\n");
  EXPECT_EQ(jinja.opening("Be brief.").size(), 1u);
}

TEST(ChatTemplate, ToolsReachTheTemplateAsApplyChatTemplatePassesThem) {
  ir::ChatFormat own;
  own.jinja =
      "{% if tools %}{% for t in tools %}[{{ t.function.name }}]{% endfor %}{% endif %}"
      "{% for m in messages %}{% if m.tool_calls %}{% for c in m.tool_calls %}{{ c.function.name }}"
      "{{ c.function.arguments | tojson }}{% endfor %}{% else %}{{ m.role }}:{{ m.content }};{% endif %}{% endfor %}";
  ChatTemplate t(own, "tools.jinja", {});
  const ojson tools = ojson::parse(R"([{"type": "function", "function": {"name": "get_weather"}}])");
  const ojson messages = ojson::parse(R"([{"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "", "tool_calls": [{"id": "c", "type": "function",
       "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
      {"role": "tool", "tool_call_id": "c", "content": "sunny"}])");
  EXPECT_EQ(t.render(messages, false, tools), "[get_weather]user:Hi;get_weather{\"city\": \"Oslo\"}tool:sunny;");
  EXPECT_EQ(t.render(messages, false), "user:Hi;get_weather{\"city\": \"Oslo\"}tool:sunny;");  // no tools given
  ChatTemplate family(*chat_family("chatml"), "x", {});
  test::expect_error([&] { family.render(conversation(), true, tools); }, {"the chatml format has no tools"});
}

TEST(ChatTemplate, ErrorsNameTheTemplateAndLine) {
  ir::ChatFormat bad;
  bad.jinja = "{% for m in messages %}\n{{ m.content }\n{% endfor %}";
  test::expect_error([&] { ChatTemplate(bad, "mine.jinja", {}); }, {"mine.jinja:2: error:"});
  ir::ChatFormat raising;
  raising.jinja = "{% if messages | length > 1 %}{{ raise_exception('only one message') }}{% endif %}";
  ChatTemplate t(raising, "mine.jinja", {});
  test::expect_error([&] { t.render(conversation(), true); }, {"mine.jinja:1: error:", "only one message"});
  test::expect_error([] { ChatTemplate(ir::ChatFormat{}, "model.gguf", {}); }, {"model.gguf", "no chat format"});
}

}  // namespace
}  // namespace lmc::models
