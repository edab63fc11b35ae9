// Vertex AI's predict route's pure parts (tools/serve/vertex/vertex_predict.h): the names of the
// routes an instance may give, the instances read from a body, and the answers gathered in
// order whichever comes first.
#include <gtest/gtest.h>

#include "tools/serve/request/serve_request.h"
#include "tools/serve/vertex/vertex_predict.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

TEST(VertexPredict, RouteNamesAreCamelCaseWithoutV1) {
  EXPECT_EQ(vertex_request_format("/v1/chat/completions"), "chatCompletions");
  EXPECT_EQ(vertex_request_format("/apply-template"), "applyTemplate");
  EXPECT_EQ(vertex_request_format("/completion"), "completion");
  EXPECT_EQ(vertex_request_format("/v1/messages/count_tokens"), "messagesCountTokens");
}

TEST(VertexPredict, TheV1RouteAnswersASharedName) {
  const auto formats = vertex_request_formats({"/completions", "/v1/completions", "/chat/completions", "/tokenize"});
  EXPECT_EQ(formats.at("completions"), "/v1/completions");
  EXPECT_EQ(formats.at("chatCompletions"), "/chat/completions");
  EXPECT_EQ(formats.at("tokenize"), "/tokenize");
}

TEST(VertexPredict, InstancesNameTheirRouteByNameOrPath) {
  const auto formats = vertex_request_formats({"/v1/chat/completions", "/tokenize"});
  const auto got = vertex_instances(R"({"instances": [
      {"@requestFormat": "chatCompletions", "messages": [], "stream": true},
      {"@requestFormat": "/tokenize", "content": "x"},
      {"@requestFormat": "nowhere"},
      {"messages": []},
      7]})",
                                    formats);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].path, "/v1/chat/completions");
  EXPECT_EQ(json::parse(got[0].body), json::parse(R"({"messages": [], "stream": false})"));
  EXPECT_FALSE(got[0].error);
  EXPECT_EQ(got[1].path, "/tokenize");
  EXPECT_EQ(json::parse(got[1].body), json::parse(R"({"content": "x"})"));
  for (size_t i : {2, 3, 4}) {
    ASSERT_TRUE(got[i].error) << i;
    EXPECT_EQ((*got[i].error)["error"]["code"], 400) << i;
  }
  EXPECT_NE((*got[2].error)["error"]["message"].get<std::string>().find("nowhere"), std::string::npos);
}

TEST(VertexPredict, ABodyWithoutInstancesIsA400) {
  for (const char* body : {"[]", "{}", R"({"instances": {}})", "not json"}) {
    try {
      vertex_instances(body, {});
      ADD_FAILURE() << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status, 400) << body;
    }
  }
  json many = {{"instances", json::array()}};
  for (int i = 0; i < 129; ++i) many["instances"].push_back({{"@requestFormat", "/tokenize"}});
  EXPECT_THROW(vertex_instances(many.dump(), {}), ApiError);
}

// The client's end: what it was answered.
struct Client : http::Exchange {
  int status = 0;
  std::string body;
  std::function<void()> gone;
  void reply(int s, const std::string&, std::string b, http::Headers) override {
    status = s;
    body = std::move(b);
  }
  void open_stream(const std::string&, std::string, std::chrono::milliseconds, std::function<void(bool)>) override {}
  bool write(std::string) override { return true; }
  void end_stream() override {}
  void on_gone(std::function<void()> f) override { gone = std::move(f); }
};

TEST(VertexPredict, PredictionsKeepTheInstancesOrderAndAnswerOnceAllAreIn) {
  auto client = std::make_shared<Client>();
  auto all = std::make_shared<VertexPredictions>(client, 3);
  bool cancelled = false;
  all->answer(0)->on_gone([&] { cancelled = true; });
  all->watch_client();
  all->answer(2)->reply(200, "application/json", R"({"n": 2})");
  all->answer(1)->reply(400, "application/json", R"({"error": {"code": 400}})");
  EXPECT_EQ(client->status, 0);
  client->gone();
  EXPECT_TRUE(cancelled);
  all->answer(0)->open_stream("text/event-stream", "", std::chrono::milliseconds(1), nullptr);
  all->answer(0)->reply(200, "application/json", "{}");  // an exchange answers once
  ASSERT_EQ(client->status, 200);
  const json p = json::parse(client->body)["predictions"];
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0]["error"]["code"], 400);  // a stream cannot be a prediction
  EXPECT_EQ(p[1]["error"]["code"], 400);
  EXPECT_EQ(p[2]["n"], 2);
}

}  // namespace
}  // namespace lmc::tools
