// The door to the MPI module, liblmc-mpi.so (runtime/mpi/mpi_world.cpp): Open MPI's libraries
// are mapped only by a process mpirun started with more than one rank (about 1 MB of
// resident memory otherwise carried by every run). join_mpi_world (runtime/collectives.h)
// opens it through support/shared_module.h.
#pragma once
#include <memory>

#include "runtime/collectives.h"

namespace lmc::runtime {

struct MpiModule {
  // Initializes MPI and joins this process's world; `timeout_seconds` bounds every collective.
  std::unique_ptr<Collectives> (*join)(double timeout_seconds);
};

}  // namespace lmc::runtime

// The module's one exported symbol.
extern "C" const lmc::runtime::MpiModule* lmc_mpi_module_v1();
