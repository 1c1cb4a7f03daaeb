// The loop: seeds, then pool mutants kept on new interleaving pairs.
#include "fuzzers/fuzz_loop.h"

#include <vector>

#include "core/sched.h"
#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz {

FuzzLoopStats fuzz_loop(Executor &executor,
                        const std::vector<std::vector<uint8_t>> &seeds,
                        const FuzzLoopOptions &opts) {
  FuzzLoopStats stats;
  std::vector<bool> seen(kNumSites * kNumSites);
  std::vector<Program> pool;
  Rng rng(opts.seed);
  auto run = [&](Program p) {
    if (opts.protocol) p.protocol = *opts.protocol;
    ++stats.executions;
    const RunResult &r = executor.run(p, opts.run);
    bool fresh = false;
    for (uint16_t pair : r.pairs)
      if (!seen[pair]) seen[pair] = true, fresh = true, ++stats.pairs_seen;
    if (fresh || pool.empty()) pool.push_back(p);
  };
  for (const auto &s : seeds) {
    if (stats.executions >= opts.runs) break;
    InputForm in = read_input(s.data(), s.size());
    if (in.ok()) run(in.program);
  }
  while (stats.executions < opts.runs && !pool.empty()) {
    const Program &parent = pool[rng.below(pool.size())];
    Program child =
        rng.one_in(8)
            ? crossover(parent, pool[rng.below(pool.size())], rng.next())
            : mutate(parent, rng.next());
    run(child);
  }
  stats.pool = pool.size();
  return stats;
}

}  // namespace nsfuzz
