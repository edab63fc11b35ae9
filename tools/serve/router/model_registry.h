// The router's models and what each is doing: unloaded, loading or loaded (its server
// running, tools/serve/router/model_process.h), how many requests it is answering and when
// it last answered one. A request holds its model by a Lease while it is forwarded, and a
// held model is never stopped to make room: past --models-max, the least recently used model
// that answers nothing is stopped; when every running one is busy, the least recently used
// takes no new request (they wait) until its running ones end, so a busy model cannot keep
// the others out for ever. Requests for a model that is loading wait for that one load. A watcher
// stops a model idle past --sleep-idle-seconds and notices a server that ended by itself.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tools/serve/engine/router_options.h"
#include "tools/serve/router/model_process.h"

namespace lmc::tools {

class ModelRegistry {
  struct Entry;

 public:
  // `model_flags`: what every model's server is started with after its own command (the
  // router's key, its address).
  ModelRegistry(RouterOptions opts, std::vector<std::string> model_flags);
  ~ModelRegistry();  // stop()

  // A loaded model held for one request; its end lets the model be stopped again.
  class Lease {
   public:
    Lease(ModelRegistry* registry, Entry* entry, int port) : registry_(registry), entry_(entry), port_(port) {}
    Lease(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    ~Lease();
    int port() const { return port_; }

   private:
    ModelRegistry* registry_;
    Entry* entry_;
    int port_;
  };

  const RouterOptions& options() const { return opts_; }
  bool has(const std::string& name) const;
  // `name` running and held. Unloaded, it is loaded when `autoload` (else a 400), first
  // making room; loading, its load is waited for (and its failure is this request's too).
  // Throws ApiError (400 not loaded, 503 its load failed or the router stops) and, once
  // `cancelled` is set, Cancelled.
  struct Cancelled {};
  Lease acquire(const std::string& name, bool autoload, const std::atomic<bool>& cancelled);
  // POST /models/unload: the model is unloaded at once, its server stopped as it finishes
  // the answers it has begun (returns when it has ended). Throws ApiError when it is not
  // known or not running.
  void unload(const std::string& name);
  // GET /models: every model, llama-server's shape, its status among its fields.
  nlohmann::json listing() const;
  // Its status as /models says it: "unloaded", "loading" or "loaded"; "" for no such model.
  std::string status_of(const std::string& name) const;
  // Starts the models a preset loads at startup, each on a thread of its own.
  void load_startup_models();
  // Stops every model and refuses requests from now on.
  void stop();

 private:
  enum class Status { Unloaded, Loading, Loaded };
  struct Entry {
    RouterModel model;
    Status status = Status::Unloaded;
    std::shared_ptr<ModelProcess> process;  // while loaded
    std::vector<std::string> args;          // its server's command line, once started
    int in_flight = 0;                      // requests holding it
    bool closing = false;                   // loaded, taking no new request: another model waits for its room
    std::chrono::steady_clock::time_point last_used;
    std::optional<int> failed_exit;  // its last server's exit code, when it failed or ended by itself
    std::string failure;             // why its last load failed ("" when it did not)
  };
  using Lock = std::unique_lock<std::mutex>;
  // A request waiting for room to load its model, in a queue in arrival order (under the
  // lock): the first in it takes the room that comes free, so a model's own requests never
  // pass another's that waited before them. When the last one goes (loaded, failed, or its
  // client left), no model stays closing.
  struct RoomWait {
    ModelRegistry& registry;
    uint64_t ticket = 0;  // 0: not in the queue
    bool first();         // queued (once), and first
    void leave();
    ~RoomWait() { leave(); }  // the lock held
  };

  Entry& entry(const std::string& name);
  // Stops the least recently used idle model when the running ones are at --models-max;
  // true when there is room for one more now.
  bool make_room(Lock& lock);
  // Loads `e` (the lock let go meanwhile); throws ApiError when it fails.
  void load(Entry& e, Lock& lock);
  // `e` unloaded, its server stopped with the lock let go.
  void stop_model(Entry& e, Lock& lock);
  void release(Entry& e);
  // The watcher: idle models stopped, ended servers noticed.
  void watch();

  RouterOptions opts_;
  std::vector<std::string> model_flags_;
  std::map<std::string, Entry> entries_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> stopping_{false};
  std::set<uint64_t> room_queue_;  // the tickets of the requests waiting for room, in arrival order
  uint64_t last_ticket_ = 0;
  std::vector<std::thread> startup_loads_;
  std::thread watcher_;
};

}  // namespace lmc::tools
