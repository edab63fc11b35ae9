// A world of ranks played by threads of one process, so that tests can run a sharded
// graph's executors side by side without mpirun. Each collective is a barrier: every
// rank leaves its bytes in the round's buffer, the last to arrive ends the round, and
// each rank then copies the result out. Like the MPI world, a rank that does not arrive
// within the timeout makes the others throw instead of waiting forever.
#pragma once
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/collectives.h"
#include "support/error.h"

namespace lmc::runtime::testing {

class InProcessWorld {
 public:
  InProcessWorld(int ranks, double timeout_seconds) : shared_(ranks, timeout_seconds) {
    for (int r = 0; r < ranks; ++r) ranks_.push_back(std::make_unique<Rank>(shared_, r));
  }
  InProcessWorld(const InProcessWorld&) = delete;
  InProcessWorld& operator=(const InProcessWorld&) = delete;

  int ranks() const { return static_cast<int>(ranks_.size()); }
  // The collectives of rank `r`, for the one thread that plays it.
  Collectives& rank(int r) { return *ranks_.at(static_cast<size_t>(r)); }

 private:
  struct Shared {
    Shared(int ranks, double timeout_seconds) : ranks(ranks), timeout_seconds(timeout_seconds) {}
    const int ranks;
    const double timeout_seconds;
    std::mutex mutex;
    std::condition_variable round_ended;
    uint64_t rounds = 0;  // ended so far
    int arrived = 0;      // in the current round
    // A rank may enter round n+1 while a slower one still copies out round n's result,
    // but cannot enter n+2 before every rank entered n+1: two buffers, by round parity.
    std::vector<std::byte> buffers[2];
  };

  class Rank final : public Collectives {
   public:
    Rank(Shared& shared, int rank) : shared_(shared), rank_(rank) {}
    int rank() const override { return rank_; }
    int ranks() const override { return shared_.ranks; }

    void all_gather(const void* in, void* out, size_t bytes) override {
      meet(
          "all_gather", bytes * static_cast<size_t>(shared_.ranks),
          [&](std::byte* round) {
            std::copy_n(static_cast<const std::byte*>(in), bytes, round + static_cast<size_t>(rank_) * bytes);
          },
          [&](const std::vector<std::byte>& round) {
            std::copy(round.begin(), round.end(), static_cast<std::byte*>(out));
          });
    }

    void broadcast(void* data, size_t bytes) override {
      meet(
          "broadcast", bytes,
          [&](std::byte* round) {
            if (rank_ == 0) std::copy_n(static_cast<const std::byte*>(data), bytes, round);
          },
          [&](const std::vector<std::byte>& round) {
            std::copy(round.begin(), round.end(), static_cast<std::byte*>(data));
          });
    }

    [[noreturn]] void abort(int) override { std::abort(); }

   private:
    template <class Give, class Take>
    void meet(const char* what, size_t round_bytes, Give give, Take take) {
      std::unique_lock lock(shared_.mutex);
      uint64_t round = shared_.rounds;
      std::vector<std::byte>& buffer = shared_.buffers[round % 2];
      if (shared_.arrived == 0) buffer.resize(round_bytes);
      give(buffer.data());
      if (++shared_.arrived == shared_.ranks) {
        shared_.arrived = 0;
        ++shared_.rounds;
        shared_.round_ended.notify_all();
      } else if (!shared_.round_ended.wait_for(lock, std::chrono::duration<double>(shared_.timeout_seconds),
                                               [&] { return shared_.rounds != round; })) {
        std::ostringstream message;
        message << "rank " << rank_ << ": error: no answer from the other ranks within " << shared_.timeout_seconds
                << " s in " << what << " (a rank died or hangs)";
        throw Error(message.str());
      }
      take(buffer);
    }

    Shared& shared_;
    const int rank_;
  };

  Shared shared_;
  std::vector<std::unique_ptr<Rank>> ranks_;
};

}  // namespace lmc::runtime::testing
