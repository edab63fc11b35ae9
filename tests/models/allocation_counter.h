// Test helper: counts the global operator new calls (and their bytes) made while a
// function runs. An operation count rather than a stopwatch: it is the same on a loaded
// CI machine as on an idle one, so a test can require that a reader's work grows in
// proportion to its input and fail only when the growth itself changes.
//
// The machine has no hardware counters to offer (perf_event_open fails in its VM), so
// allocations are the count: they catch the copy-the-rest-of-the-input and
// rebuild-per-entry mistakes, not a loop that compares without allocating.
#pragma once
#include <cstdint>
#include <functional>

namespace lmc::test {

struct Allocations {
  uint64_t calls = 0;
  uint64_t bytes = 0;
};

// The allocations the process made while `f` ran (one thread: the readers spawn none).
Allocations count_allocations(const std::function<void()>& f);

}  // namespace lmc::test
