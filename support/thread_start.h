// A thread the system will not start, said as what ran out and how much was asked. Under
// `ulimit -v` a new thread's stack (8 MB of address space by default) is what does not fit,
// and std::thread and std::async say only "Resource temporarily unavailable" (EAGAIN).
#pragma once
#include <future>
#include <string>
#include <system_error>
#include <utility>

namespace lmc {

// What ran out when `e`, std::thread's or std::async's failure to start a thread, came:
// "out of address space: its stack of 8.0 MB does not fit under ulimit -v ...".
std::string thread_refusal(const std::system_error& e);

// Throws lmc::Error "lmc: error: cannot start a thread to <purpose>: <thread_refusal(e)>".
[[noreturn]] void throw_thread_refused(const std::system_error& e, const std::string& purpose);

// std::async(std::launch::async, f), a refusal said as throw_thread_refused says it.
template <class F>
auto start_async(const std::string& purpose, F&& f) {
  try {
    return std::async(std::launch::async, std::forward<F>(f));
  } catch (const std::system_error& e) {
    throw_thread_refused(e, purpose);
  }
}

}  // namespace lmc
