#include "tools/serve/answer/choices.h"

namespace lmc::tools {

std::shared_ptr<Job> choice_job(const Job& first, int64_t index) {
  auto job = std::make_shared<Job>();
  static_cast<JobRequest&>(*job) = first;
  job->generation.sampling.seed += static_cast<uint64_t>(index);
  return job;
}

nlohmann::json whole_choice(bool chat, size_t index, const std::string& text, const JobResult& r,
                            const ToolOptions& tools, const ReasoningRead& reasoning, const std::string& call_id) {
  std::string finish = r.finish_reason;
  if (!chat) return {{"index", index}, {"text", text}, {"logprobs", nullptr}, {"finish_reason", finish}};
  const bool cut = r.finish_reason == "length" || !r.stopping_word.empty();
  nlohmann::json message = chat_message(tools, reasoning, text, call_id, finish, cut);
  return {{"index", index}, {"message", message}, {"logprobs", nullptr}, {"finish_reason", finish}};
}

void ChoiceResults::append(size_t i, const std::string& piece, const std::vector<int32_t>& tokens) {
  std::lock_guard lock(mu_);
  texts_[i] += piece;
  tokens_[i].insert(tokens_[i].end(), tokens.begin(), tokens.end());
}

bool ChoiceResults::end(size_t i, const JobResult& r) {
  std::lock_guard lock(mu_);
  results_[i] = r;
  return --left_ == 0;
}

const JobResult* ChoiceResults::failed() const {
  std::lock_guard lock(mu_);
  for (const JobResult& r : results_)
    if (r.finish_reason == "error" || r.finish_reason == "queue_timeout") return &r;
  return nullptr;
}

JobResult ChoiceResults::total() const {
  std::lock_guard lock(mu_);
  JobResult t = results_.front();
  for (size_t i = 1; i < results_.size(); ++i) t.completion_tokens += results_[i].completion_tokens;
  return t;
}

}  // namespace lmc::tools
