// An rcutorture-like stress run: real threads, no schedule control.
#ifndef NSFUZZ_CORE_TESTING_STRESS_H_
#define NSFUZZ_CORE_TESTING_STRESS_H_

#include <cstdint>

#include "core/world.h"

namespace nsfuzz::testing {

struct StressOptions {
  int threads = 4;
  int iterations = 300;  // operations per thread
  uint64_t seed = 1;
};

// Each thread is a privileged task that unshares, setns-es into others,
// daemonizes, mounts and sets its hostname, while reading the other tasks'
// mounts and hostnames. Every thread exits at the end; the caller tears
// the world down. Deterministic per thread, not across threads.
void run_stress(World &w, const StressOptions &opts);

}  // namespace nsfuzz::testing

#endif  // NSFUZZ_CORE_TESTING_STRESS_H_
