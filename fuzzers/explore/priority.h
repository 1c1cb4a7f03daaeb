// Priority orders: the free picks of a run, as the `priorities` seed that
// makes them (explore.h: each run is a v2 Program).
#ifndef NSFUZZ_FUZZERS_EXPLORE_PRIORITY_H_
#define NSFUZZ_FUZZERS_EXPLORE_PRIORITY_H_

#include <cstdint>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

// order_seeds(n), the smallest seed of each order, is explore.h's.

// A pick of q among the runnable threads `can_run`: q outranks the others,
// and every thread below one x outranks is below x (Warshall).
void note_pick(uint32_t outranks[kMaxThreads + 1], int q, uint32_t can_run);

// The first of `seeds` (order_seeds(n)) whose priority order puts every x
// above the threads of outranks[x].
uint8_t seed_for(const uint32_t outranks[kMaxThreads + 1], int n,
                 const std::vector<uint8_t> &seeds);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_PRIORITY_H_
