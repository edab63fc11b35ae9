// The content digest of a whole file, as the compile cache keys weights by
// (driver/cache_key.h): read in chunks hashed on every thread, without mapping the file,
// so a 4 GB GGUF costs well under a second from the page cache and no resident memory.
#pragma once
#include <cstdint>
#include <string>

namespace lmc::runtime {

// XXH3-64 of the chunks' XXH3-64 digests and the size (not digest64 of the whole file).
// Throws lmc::Error "<path>: error: ..." when the file cannot be read.
uint64_t file_digest(const std::string& path);

}  // namespace lmc::runtime
