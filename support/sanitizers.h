#pragma once

// LMC_ADDRESS_SANITIZER is 1 in a build with AddressSanitizer, under GCC (which defines
// __SANITIZE_ADDRESS__) and under clang (whose version 14 says so only through
// __has_feature), else 0.
#if defined(__SANITIZE_ADDRESS__)
#define LMC_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LMC_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef LMC_ADDRESS_SANITIZER
#define LMC_ADDRESS_SANITIZER 0
#endif
