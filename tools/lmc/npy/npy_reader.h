// Reads a NumPy .npy file (format versions 1 to 3) into a HostArray, for lmc exec's
// --input: little-endian float16/32/64 become f32, int32/64 become i32 (an int64 out of
// int32's range is an error), C order only. Every other layout, a truncated or oversized
// file, or a header that is not the dict numpy writes is one error naming the file.
#pragma once
#include <string>

#include "driver/host_array.h"

namespace lmc::tools {

// Throws lmc::Error "<path>: error: ...".
driver::HostArray read_npy(const std::string& path);

}  // namespace lmc::tools
