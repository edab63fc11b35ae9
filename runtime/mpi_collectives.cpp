// Joining the MPI world mpirun started this process in: the launcher's world size, read
// without MPI, and the MPI module (runtime/mpi_module.h) opened only for a world of more
// than one rank, so that a process started alone never maps Open MPI. A build without MPI
// has no module, and a job started by mpirun fails with a message instead of running N
// copies of the whole model alone.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#include "runtime/mpi_module.h"
#include "support/error.h"
#include "support/shared_module.h"

namespace lmc::runtime {
namespace {

// The world size the launcher announces, read before MPI_Init so that a process started
// alone never initializes MPI (which would make it a singleton MPI job, slow to start
// and chatty when no launcher is around). Open MPI's variable first, then the PMI one
// MPICH's hydra and Slurm set.
int launcher_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* value = std::getenv(name);
    if (!value) continue;
    char* end = nullptr;
    errno = 0;
    long size = std::strtol(value, &end, 10);
    if (end == value || *end != '\0' || errno != 0 || size < 1 || size > INT_MAX)
      throw Error(std::string("lmc: error: the launcher set ") + name + "=" + value + ", which is not a world size");
    return static_cast<int>(size);
  }
  return 1;
}

}  // namespace

std::unique_ptr<Collectives> join_mpi_world(double timeout_seconds) {
  int size = launcher_world_size();
  if (size == 1) return nullptr;
#ifdef LMC_HAVE_MPI
  const SharedModuleFile file{"Open MPI's collectives", "liblmc-mpi.so", "lmc_mpi_module_v1", LMC_MPI_BUILD_PATH};
  return shared_module_table<MpiModule>(file).join(timeout_seconds);
#else
  throw Error("lmc: error: started by mpirun with " + std::to_string(size) +
              " ranks, but this lmc was built without MPI (install libopenmpi-dev and rebuild)");
#endif
}

bool built_with_mpi() {
#ifdef LMC_HAVE_MPI
  return true;
#else
  return false;
#endif
}

}  // namespace lmc::runtime
