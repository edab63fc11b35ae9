// The MPI world this lmc process was started in by mpirun (tensor parallelism), joined
// once in main: nullptr when it runs alone. Commands that run a model hand it to their
// executor and compile their rank's share of the model.
#pragma once
#include "runtime/collectives.h"

namespace lmc::tools {

runtime::Collectives* process_world();
void set_process_world(runtime::Collectives* world);
// Seconds a collective waits for the other ranks (LMC_COLLECTIVE_TIMEOUT, default 120):
// long enough for every rank to load and compile, short enough that a hung rank ends the job.
double collective_timeout();

}  // namespace lmc::tools
