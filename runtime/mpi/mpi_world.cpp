// The Collectives of a process started by mpirun, and the one place lmc includes MPI: the
// module liblmc-mpi.so (runtime/mpi_module.h), opened only when mpirun started lmc with
// more than one rank.
#include <climits>
#include <cstdlib>
#include <string>

// The C API only: mpi.h otherwise pulls in the deprecated C++ bindings, whose library
// MPI::MPI_C does not link.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "runtime/mpi_module.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// MPI allows one MPI_Init and one MPI_Finalize per process, so a process joins one world.
class MpiWorld final : public Collectives {
 public:
  explicit MpiWorld(double timeout_seconds) : timeout_seconds_(timeout_seconds) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) throw Error("lmc: error: this process already joined its MPI world");
    // Collectives run on whichever thread drives the executor, one call at a time.
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      throw Error(
          "lmc: error: this MPI cannot serve calls from more than the main thread "
          "(MPI_THREAD_SERIALIZED)");
    }
    // A private communicator, so that lmc's collectives never match another library's.
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &ranks_);
  }

  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  // After a timeout or an MPI error a collective may still be pending, and MPI_Finalize
  // would wait for the ranks that hang. Exiting without it instead makes mpirun end the
  // job, the hanging ranks included.
  ~MpiWorld() override {
    if (broken_) return;
    MPI_Comm_free(&comm_);
    MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }

  void all_gather(const void* in, void* out, size_t bytes) override {
    const char* what = "all_gather";
    int count = mpi_count(bytes, what);
    MPI_Request request;
    check(MPI_Iallgather(in, count, MPI_BYTE, out, count, MPI_BYTE, comm_, &request), what);
    wait(request, what);
  }

  void broadcast(void* data, size_t bytes) override {
    const char* what = "broadcast";
    MPI_Request request;
    check(MPI_Ibcast(data, mpi_count(bytes, what), MPI_BYTE, 0, comm_, &request), what);
    wait(request, what);
  }

  [[noreturn]] void abort(int code) override {
    MPI_Abort(comm_, code);
    // MPI_Abort is not declared noreturn, and an MPI may return from it.
    std::abort();
  }

 private:
  Error error(const std::string& what) const { return Error("rank " + std::to_string(rank_) + ": error: " + what); }

  int mpi_count(size_t bytes, const char* what) const {
    if (bytes > static_cast<size_t>(INT_MAX))
      throw error(std::string(what) + " of " + std::to_string(bytes) + " bytes is more than MPI's count of " +
                  std::to_string(INT_MAX));
    return static_cast<int>(bytes);
  }

  void check(int code, const char* what) {
    if (code == MPI_SUCCESS) return;
    broken_ = true;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw error(std::string(what) + ": " + std::string(text, length));
  }

  // Polls rather than MPI_Wait, which has no timeout: a rank that died or hangs must
  // end the job with a message, not freeze it. Spinning first keeps a decode step's
  // many small collectives fast; sleeping after keeps a long wait from eating a core
  // the executor's threads need.
  void wait(MPI_Request& request, const char* what) {
    constexpr int kSpins = 1000;
    Clock::time_point deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_seconds_));
    for (int spin = 0;; ++spin) {
      int done = 0;
      check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), what);
      if (done) return;
      if (spin < kSpins) continue;
      if (Clock::now() > deadline) {
        broken_ = true;
        std::ostringstream message;
        message << "no answer from the other ranks within " << timeout_seconds_ << " s in " << what
                << " (a rank died or hangs)";
        throw error(message.str());
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  double timeout_seconds_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int ranks_ = 1;
  bool broken_ = false;
};

std::unique_ptr<Collectives> join_world(double timeout_seconds) { return std::make_unique<MpiWorld>(timeout_seconds); }

}  // namespace
}  // namespace lmc::runtime

extern "C" __attribute__((visibility("default"))) const lmc::runtime::MpiModule* lmc_mpi_module_v1() {
  static const lmc::runtime::MpiModule module{lmc::runtime::join_world};
  return &module;
}
