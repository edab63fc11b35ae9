#include "tools/serve/router/model_registry.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kWatchEvery{200};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Whether `args` name a projector or refuse one (-mm, --mmproj, --no-mmproj, in either form),
// which a model's own projector then gives way to.
bool names_projector(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& a) {
    const std::string flag = a.substr(0, a.find('='));
    return flag == "-mm" || flag == "--mmproj" || flag == "--no-mmproj";
  });
}

}  // namespace

ModelRegistry::Lease::Lease(Lease&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), entry_(other.entry_), port_(other.port_) {}

ModelRegistry::Lease::~Lease() {
  if (registry_) registry_->release(*entry_);
}

ModelRegistry::ModelRegistry(RouterOptions opts, std::vector<std::string> model_flags)
    : opts_(std::move(opts)), model_flags_(std::move(model_flags)) {
  for (const RouterModel& m : opts_.models) entries_[m.name].model = m;
  watcher_ = std::thread([this] { watch(); });
}

ModelRegistry::~ModelRegistry() { stop(); }

bool ModelRegistry::has(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return entries_.count(name) != 0;
}

ModelRegistry::Entry& ModelRegistry::entry(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw ApiError(400, "invalid_request_error", "model '" + name + "' not found", "model");
  return it->second;
}

ModelRegistry::Lease ModelRegistry::acquire(const std::string& name, bool autoload,
                                            const std::atomic<bool>& cancelled) {
  Lock lock(mutex_);
  Entry& e = entry(name);
  bool waited_for_load = false;
  RoomWait room_wait{*this};
  for (;;) {
    if (stopping_) throw ApiError(503, "unavailable_error", "the server is shutting down");
    if (cancelled) throw Cancelled{};
    if (waited_for_load && e.status == Status::Unloaded && !e.failure.empty())
      throw ApiError(503, "unavailable_error", "model '" + name + "' failed to load: " + e.failure);
    waited_for_load = e.status == Status::Loading;
    if (e.status == Status::Loaded && !e.closing) {
      ++e.in_flight;
      e.last_used = Clock::now();
      return Lease(this, &e, e.process->port());
    }
    if (e.status == Status::Unloaded && !autoload)
      throw ApiError(400, "invalid_request_error", "model is not loaded", "model");
    if (e.status == Status::Unloaded && room_wait.first() && make_room(lock)) {
      room_wait.leave();  // the room is this load's: the next request in the queue may look for its own
      load(e, lock);
      continue;
    }
    changed_.wait_for(lock, kWatchEvery);
  }
}

bool ModelRegistry::RoomWait::first() {
  if (!ticket) registry.room_queue_.insert(ticket = ++registry.last_ticket_);
  return *registry.room_queue_.begin() == ticket;
}

void ModelRegistry::RoomWait::leave() {
  if (!ticket) return;
  registry.room_queue_.erase(std::exchange(ticket, 0));
  if (registry.room_queue_.empty())
    for (auto& [name, e] : registry.entries_) e.closing = false;  // no one waits for their room any more
  registry.changed_.notify_all();
}

bool ModelRegistry::make_room(Lock& lock) {
  if (opts_.models_max == 0) return true;
  size_t running = 0;
  Entry *idlest = nullptr, *least_recent = nullptr;
  bool closing = false;
  // Which idle model goes first: a closing one (a request waits for its room), else the least recently used.
  auto before = [](const Entry* a, const Entry& b) {
    return !a || (a->closing != b.closing ? b.closing : b.last_used < a->last_used);
  };
  for (auto& [name, e] : entries_) {
    running += e.status != Status::Unloaded;
    closing |= e.closing;
    if (e.status == Status::Loaded && e.in_flight == 0 && before(idlest, e)) idlest = &e;
    if (e.status == Status::Loaded && (!least_recent || e.last_used < least_recent->last_used)) least_recent = &e;
  }
  if (running < opts_.models_max) return true;
  if (idlest) {
    std::fprintf(stderr, "lmc: unloading model %s, the least recently used (--models-max %zu)\n",
                 idlest->model.name.c_str(), opts_.models_max);
    stop_model(*idlest, lock);
  } else if (!closing && least_recent) {
    // Every running model is busy: the least recently used one takes no new request, so that
    // its room comes free once its requests end, however busy it is kept.
    std::fprintf(stderr,
                 "lmc: model %s takes no new requests until its running ones end: another model waits for "
                 "its room (--models-max %zu)\n",
                 least_recent->model.name.c_str(), opts_.models_max);
    least_recent->closing = true;
  }
  return false;  // looked at again: the room may have gone to another request meanwhile
}

void ModelRegistry::load(Entry& e, Lock& lock) {
  e.status = Status::Loading;
  e.failed_exit.reset();
  e.failure.clear();
  e.args = {opts_.child_command.begin(), opts_.child_command.begin() + 2};  // lmc serve
  e.args.insert(e.args.end(), e.model.args.begin(), e.model.args.end());
  if (!e.model.projector.empty() && !names_projector(e.model.args) && !names_projector(opts_.child_command))
    e.args.insert(e.args.end(), {"--mmproj", e.model.projector});
  e.args.insert(e.args.end(), opts_.child_command.begin() + 2, opts_.child_command.end());
  e.args.insert(e.args.end(), {"--model", e.model.path, "--alias", e.model.name});
  e.args.insert(e.args.end(), model_flags_.begin(), model_flags_.end());
  const std::vector<std::string> args = e.args;
  std::fprintf(stderr, "lmc: loading model %s (%s)\n", e.model.name.c_str(), e.model.path.c_str());
  const auto t0 = Clock::now();
  lock.unlock();
  std::shared_ptr<ModelProcess> process;
  std::optional<LoadFailure> failure;
  try {
    process = std::make_shared<ModelProcess>(args, stopping_);
  } catch (const LoadFailure& f) {
    failure = f;
  }
  lock.lock();
  changed_.notify_all();
  if (process && !stopping_) {
    e.process = std::move(process);
    e.status = Status::Loaded;
    e.last_used = Clock::now();
    std::fprintf(stderr, "lmc: model %s loaded in %.1f s, its server on 127.0.0.1:%d\n", e.model.name.c_str(),
                 seconds_since(t0), e.process->port());
    return;
  }
  e.status = Status::Unloaded;
  e.failure = failure ? failure->what() : "the server is shutting down";
  if (failure) e.failed_exit = failure->exit_code;
  std::fprintf(stderr, "lmc: model %s failed to load: %s\n", e.model.name.c_str(), e.failure.c_str());
  throw ApiError(503, "unavailable_error", "model '" + e.model.name + "' failed to load: " + e.failure);
}

void ModelRegistry::stop_model(Entry& e, Lock& lock) {
  e.status = Status::Unloaded;
  e.closing = false;
  std::shared_ptr<ModelProcess> process = std::move(e.process);
  const std::chrono::seconds grace = e.model.stop_timeout;
  lock.unlock();
  if (process) process->stop(grace);
  lock.lock();
  changed_.notify_all();
}

void ModelRegistry::release(Entry& e) {
  std::lock_guard lock(mutex_);
  --e.in_flight;
  e.last_used = Clock::now();
  changed_.notify_all();
}

void ModelRegistry::unload(const std::string& name) {
  Lock lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) throw ApiError(400, "invalid_request_error", "model is not found", "model");
  if (it->second.status != Status::Loaded)
    throw ApiError(400, "invalid_request_error",
                   it->second.status == Status::Loading ? "model is loading" : "model is not running", "model");
  std::fprintf(stderr, "lmc: unloading model %s, as asked\n", name.c_str());
  stop_model(it->second, lock);
}

void ModelRegistry::watch() {
  Lock lock(mutex_);
  while (!stopping_) {
    changed_.wait_for(lock, kWatchEvery);
    for (auto& [name, e] : entries_) {
      if (e.status != Status::Loaded || stopping_) continue;
      if (std::optional<int> code = e.process->ended()) {
        std::fprintf(stderr, "lmc: model %s's server ended (exit code %d)\n", name.c_str(), *code);
        e.failed_exit = code;
        e.status = Status::Unloaded;
        e.process.reset();
      } else if (opts_.idle_unload.count() > 0 && e.in_flight == 0 && Clock::now() - e.last_used >= opts_.idle_unload) {
        std::fprintf(stderr, "lmc: unloading model %s, idle for %lld s (--sleep-idle-seconds)\n", name.c_str(),
                     static_cast<long long>(opts_.idle_unload.count()));
        stop_model(e, lock);
        break;  // the lock was let go: the others are looked at on the next round
      }
    }
  }
}

void ModelRegistry::load_startup_models() {
  for (const RouterModel& m : opts_.models)
    if (m.load_on_startup)
      startup_loads_.emplace_back([this, name = m.name] {
        try {
          acquire(name, true, stopping_);
        } catch (const ApiError&) {  // said in the log, and in /models
        } catch (const Cancelled&) {
        }
      });
}

void ModelRegistry::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_.exchange(true)) return;
    changed_.notify_all();
  }
  if (watcher_.joinable()) watcher_.join();
  for (std::thread& t : startup_loads_) t.join();
  std::vector<std::shared_ptr<ModelProcess>> running;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, e] : entries_)
      if (e.process) running.push_back(std::move(e.process));
  }
  for (auto& p : running) p->stop(std::chrono::seconds(10));
}

namespace {
const char* const kStatus[] = {"unloaded", "loading", "loaded"};
}  // namespace

std::string ModelRegistry::status_of(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  return it == entries_.end() ? "" : kStatus[static_cast<int>(it->second.status)];
}

nlohmann::json ModelRegistry::listing() const {
  std::lock_guard lock(mutex_);
  nlohmann::json data = nlohmann::json::array();
  for (const auto& [name, e] : entries_) {
    nlohmann::json status = {{"value", kStatus[static_cast<int>(e.status)]}, {"args", e.args}};
    if (e.failed_exit && e.status == Status::Unloaded) {
      status["failed"] = true;
      status["exit_code"] = *e.failed_exit;
    }
    data.push_back({{"id", name},
                    {"aliases", nlohmann::json::array()},
                    {"tags", nlohmann::json::array()},
                    {"object", "model"},
                    {"owned_by", "lmc"},
                    {"created", now_seconds()},
                    {"path", e.model.path},
                    {"status", status},
                    {"architecture", {{"input_modalities", {"text"}}, {"output_modalities", {"text"}}}},
                    {"source", e.model.source},
                    {"can_remove", false}});
  }
  return {{"data", data}, {"object", "list"}};
}

}  // namespace lmc::tools
