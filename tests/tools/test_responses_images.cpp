// OpenAI's Responses API input_image parts (tools/serve/responses/responses_request.h) as a
// chat's image_url parts, in their place among the text; detail unread; an http(s) URL, a
// file_id or a part of no known type refused naming the part. And the image readers they
// share with chat and /completion (tools/serve/request/image_parts.h).
#include <gtest/gtest.h>

#include "tools/serve/fields/api_error.h"
#include "tools/serve/request/image_parts.h"
#include "tools/serve/responses/responses_request.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

const char* kPng = "data:image/png;base64,iVBORw0KGgo=";

json content_with(const json& part) {
  return json{{"input", {{{"role", "user"}, {"content", {{{"type", "input_text"}, {"text", "What? "}}, part}}}}}};
}

// The param a 400 names for the Responses request `body`, or "" when it is taken.
std::string refused_at(const json& body, const std::string& says) {
  try {
    responses_chat_request(body.dump());
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    return e.param;
  }
  return "";
}

TEST(ResponsesImages, AnInputImageIsAChatImagePartInItsPlace) {
  const json chat =
      responses_chat_request(content_with({{"type", "input_image"}, {"image_url", kPng}, {"detail", "low"}}).dump());
  const json want = json::parse(std::string(R"([{"type": "text", "text": "What? "},
      {"type": "image_url", "image_url": {"url": ")") +
                                kPng + R"("}}])");
  EXPECT_EQ(chat["messages"][0]["content"], want);
}

TEST(ResponsesImages, TextAloneStaysAString) {
  const json chat = responses_chat_request(content_with({{"type", "input_text"}, {"text", "Go."}}).dump());
  EXPECT_EQ(chat["messages"][0]["content"], "What? Go.");
}

TEST(ResponsesImages, UrlsFilesAndOtherPartsAreRefusedByName) {
  EXPECT_EQ(refused_at(content_with({{"type", "input_image"}, {"image_url", "https://example.com/a.png"}}), "http(s)"),
            "input[0].content[1].image_url");
  EXPECT_EQ(refused_at(content_with({{"type", "input_image"}, {"file_id", "file-1"}}), "lmc keeps no files"),
            "input[0].content[1].file_id");
  EXPECT_EQ(refused_at(content_with({{"type", "input_image"}}), "data URI"), "input[0].content[1].image_url");
  EXPECT_EQ(refused_at(content_with({{"type", "input_image"}, {"image_url", "cat.png"}}), "data URI"),
            "input[0].content[1].image_url");
  EXPECT_EQ(refused_at(content_with({{"type", "input_file"}, {"file_id", "file-1"}}), "input_image"),
            "input[0].content[1]");
}

TEST(ImageParts, Base64IsDecodedOrRefused) {
  EXPECT_EQ(image_of_base64("aGk=", "prompt.multimodal_data[0]").bytes, "hi");
  for (const char* bad : {"", "@@@@"}) {
    try {
      image_of_base64(bad, "prompt.multimodal_data[0]");
      ADD_FAILURE() << "took " << bad;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.param, "prompt.multimodal_data[0]");
    }
  }
  EXPECT_EQ(data_uri_payload(kPng, "x"), std::string("data:image/png;base64,").size());
}

}  // namespace
}  // namespace lmc::tools
