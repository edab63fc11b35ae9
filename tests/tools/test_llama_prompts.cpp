// llama-server's /completion prompt forms (tools/serve/fields/llama_prompts.h), with the
// prompt objects that carry images: {"prompt_string", "multimodal_data"} keeps its text whole
// and its base64 strings, alone or in a list of prompts; bad shapes are 400s naming the place.
#include <gtest/gtest.h>

#include "tools/serve/fields/api_error.h"
#include "tools/serve/fields/llama_prompts.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

// The param a 400 names for `prompt`, or "" when it is taken.
std::string refused_at(const json& prompt) {
  try {
    parse_llama_prompts(prompt, 100);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    return e.param;
  }
  return "";
}

TEST(LlamaPrompts, AnObjectWithMultimodalDataKeepsItsTextAndBase64) {
  const auto got =
      parse_llama_prompts(json::parse(R"({"prompt_string": "a <__media__> b", "multimodal_data": ["AAAA"]})"), 100);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].pieces.size(), 1u);
  EXPECT_EQ(got[0].pieces[0].text, "a <__media__> b");
  EXPECT_EQ(got[0].media, std::vector<std::string>{"AAAA"});
  EXPECT_EQ(got[0].media_at, "prompt.multimodal_data");
}

TEST(LlamaPrompts, ImagesGoWithTheirOwnPromptInAList) {
  const auto got = parse_llama_prompts(json::parse(R"(["plain",
      {"prompt_string": "<__media__><__media__>", "multimodal_data": ["AAAA", "BBBB"]}, [1, 2]])"),
                                       100);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].media.empty());
  EXPECT_EQ(got[1].media, (std::vector<std::string>{"AAAA", "BBBB"}));
  EXPECT_EQ(got[1].media_at, "prompt[1].multimodal_data");
  EXPECT_TRUE(got[2].media.empty());
  EXPECT_EQ(got[2].pieces[1].token, 2);
}

TEST(LlamaPrompts, OneBase64StringIsOneImage) {
  const auto got =
      parse_llama_prompts(json::parse(R"({"prompt_string": "<__media__>", "multimodal_data": "AAAA"})"), 100);
  EXPECT_EQ(got[0].media, std::vector<std::string>{"AAAA"});
}

TEST(LlamaPrompts, AnObjectWithoutMultimodalDataIsItsPrompt) {
  const auto got = parse_llama_prompts(json::parse(R"({"prompt_string": [5, "x"]})"), 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].pieces.size(), 2u);
  EXPECT_TRUE(got[0].media.empty());
}

TEST(LlamaPrompts, BadMultimodalPromptsNameThePlace) {
  EXPECT_EQ(refused_at(json::parse(R"({"prompt_string": "x", "multimodal_data": {"a": 1}})")),
            "prompt.multimodal_data");
  EXPECT_EQ(refused_at(json::parse(R"({"prompt_string": "x", "multimodal_data": []})")), "prompt.multimodal_data");
  EXPECT_EQ(refused_at(json::parse(R"(["a", {"prompt_string": "x", "multimodal_data": [7]}])")),
            "prompt[1].multimodal_data");
  EXPECT_EQ(refused_at(json::parse(R"({"prompt_string": [1, "x"], "multimodal_data": ["AAAA"]})")),
            "prompt.prompt_string");
  EXPECT_EQ(refused_at(json::parse(R"({"multimodal_data": ["AAAA"]})")), "prompt");
  EXPECT_EQ(refused_at(json::parse(R"({"prompt_string": "", "multimodal_data": ["AAAA"]})")), "prompt.prompt_string");
}

}  // namespace
}  // namespace lmc::tools
