// The communication a sharded graph needs (its all_reduce and all_gather ops), behind
// one small interface so that only runtime/mpi/mpi_world.cpp (a module of its own,
// runtime/mpi_module.h) includes MPI. A graph
// sharded by the `shard` pass runs one executor per rank; each executor gets the
// rank's Collectives.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace lmc::runtime {

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual int rank() const = 0;
  virtual int ranks() const = 0;
  // Every rank gives `bytes` bytes from `in`; every rank receives all of them, rank
  // after rank, in `out` (ranks() * bytes). Throws lmc::Error when a rank does not
  // take part within the timeout (it died or hangs) instead of waiting forever.
  virtual void all_gather(const void* in, void* out, size_t bytes) = 0;
  // Every rank gets rank 0's `bytes` bytes of `data` (the sampled token, say).
  virtual void broadcast(void* data, size_t bytes) = 0;
  // Ends every rank of the job after a fatal error on this one, with `code`.
  [[noreturn]] virtual void abort(int code) = 0;
};

// The world of processes this one was started in by mpirun: nullptr when it was
// started alone (a world of one). Throws lmc::Error when started by mpirun with more
// than one rank in a build without MPI. `timeout_seconds` bounds every collective.
std::unique_ptr<Collectives> join_mpi_world(double timeout_seconds);
// Whether this build can join an MPI world.
bool built_with_mpi();

}  // namespace lmc::runtime
