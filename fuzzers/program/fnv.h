// FNV-1a (64-bit): the one hash of runs, searches and inputs.
#ifndef NSFUZZ_FUZZERS_PROGRAM_FNV_H_
#define NSFUZZ_FUZZERS_PROGRAM_FNV_H_

#include <cstddef>
#include <cstdint>

namespace nsfuzz {

inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ull;

// One value more into hash h.
constexpr uint64_t fnv_mix(uint64_t h, uint64_t v) {
  return (h ^ v) * kFnvPrime;
}

// The bytes' hash.
constexpr uint64_t fnv_bytes(const uint8_t *data, size_t size) {
  uint64_t h = kFnvOffset;
  for (size_t i = 0; i < size; ++i) h = fnv_mix(h, data[i]);
  return h;
}

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_FNV_H_
