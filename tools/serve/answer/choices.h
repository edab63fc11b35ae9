// OpenAI's n > 1 on /v1/completions and /v1/chat/completions: a request's choices generated
// as jobs of their own (each in a slot, batched with the others), answered together when the
// last ends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/serve/answer/chat_answer.h"
#include "tools/serve/engine/serve_engine.h"

namespace lmc::tools {

// The job of choice `index`: `first`'s prompt, limits, stops and constraints, with its seed
// moved by the index, so that the choices differ and a seeded request repeats them.
std::shared_ptr<Job> choice_job(const Job& first, int64_t index);

// Choice `index` of a whole answer, with `finish_reason`: a chat's message (its reasoning and
// tool calls read as `tools` and `reasoning` say; `call_id` names its first call) or a
// completion's text.
nlohmann::json whole_choice(bool chat, size_t index, const std::string& text, const JobResult& r,
                            const ToolOptions& tools, const ReasoningRead& reasoning, const std::string& call_id);

// The choices' texts and ends, as their jobs end.
class ChoiceResults {
 public:
  explicit ChoiceResults(size_t n) : texts_(n), tokens_(n), results_(n), left_(n) {}
  // A piece of choice i's text, and the tokens it is written in.
  void append(size_t i, const std::string& piece, const std::vector<int32_t>& tokens);
  // Records choice i's end; true when it is the last to end.
  bool end(size_t i, const JobResult& r);
  size_t size() const { return texts_.size(); }
  const std::string& text(size_t i) const { return texts_[i]; }
  const std::vector<int32_t>& tokens(size_t i) const { return tokens_[i]; }
  const JobResult& result(size_t i) const { return results_[i]; }
  // The first choice that failed (an error, or the queue's timeout), or null.
  const JobResult* failed() const;
  // The request's counts as usage gives them: its prompt once, every choice's completion.
  JobResult total() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> texts_;
  std::vector<std::vector<int32_t>> tokens_;
  std::vector<JobResult> results_;
  size_t left_;
};

}  // namespace lmc::tools
