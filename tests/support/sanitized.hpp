#pragma once

// True in the sanitizer build (cmake -DSHOPSTREAM_SANITIZE=ON, run by scripts/test after the
// plain build). AddressSanitizer's redzones, shadow memory and quarantine (256 MiB of freed
// blocks held back) make a peak-RSS figure say nothing about the program, and everything runs
// a few times slower: memory bounds are checked in the plain build only, and the slowest
// fault suites do less work here (docs/RELIABILITY.md, "Sanitizers").
#ifdef SHOPSTREAM_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
