#include "tools/serve/http/call_threads.h"

namespace lmc::tools {

void CallThreads::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  for (Worker& w : workers_) *w.cancelled = true;
}

CallThreads::~CallThreads() {
  stop();
  std::list<Worker> running;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running.swap(workers_);
  }
  for (Worker& w : running) w.thread.join();
}

bool CallThreads::launch(std::function<void()> work, std::shared_ptr<std::atomic<bool>> cancelled) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {  // the ended ones joined
    if (!*it->done) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers_.erase(it);
  }
  if (stopping_ || workers_.size() >= most_) return false;
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread t([work = std::move(work), done] {
    work();
    *done = true;
  });
  workers_.push_back({std::move(t), std::move(cancelled), std::move(done)});
  return true;
}

}  // namespace lmc::tools
