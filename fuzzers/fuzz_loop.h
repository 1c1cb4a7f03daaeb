// fuzz_loop: a small deterministic mutational loop over the executor, for
// tests and benchmarks where libFuzzer is not linked (any config).
//
// It runs the seeds, then mutants of a growing pool (the structure-aware
// mutator, seeded by the loop's seed). A mutant joins the pool when its run
// showed a schedule-point pair not seen before: the same interleaving
// feedback the libFuzzer targets get, without code coverage.
#ifndef NSFUZZ_FUZZERS_FUZZ_LOOP_H_
#define NSFUZZ_FUZZERS_FUZZ_LOOP_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "core/protocol.h"
#include "fuzzers/exec/executor.h"

namespace nsfuzz {

struct FuzzLoopOptions {
  uint64_t runs = 1000;  // executions in all, seeds included
  uint64_t seed = 1;
  std::optional<Protocol> protocol;  // forces every Program's protocol
  RunOptions run;
};

struct FuzzLoopStats {
  uint64_t executions = 0;
  size_t pool = 0;        // units kept
  size_t pairs_seen = 0;  // distinct interleaving pairs
};

// Findings go to the core's handler (by default: report and abort), so a
// finding ends the process at the execution that found it.
FuzzLoopStats fuzz_loop(Executor &executor,
                        const std::vector<std::vector<uint8_t>> &seeds,
                        const FuzzLoopOptions &opts);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_FUZZ_LOOP_H_
