// Measures DRAM read bandwidth in this process — the physical limit of a decode step,
// which reads every weight once — so `lmc bench` can state its roofline fraction from
// numbers taken on the same machine at the same time.
#pragma once

namespace lmc::driver {

// Bytes per second reading a buffer far larger than the caches with `threads` threads: the
// best of a plain read and reads that prefetch ahead as the decode kernels do, each the
// median of its passes.
double measure_read_bandwidth(int threads);

}  // namespace lmc::driver
