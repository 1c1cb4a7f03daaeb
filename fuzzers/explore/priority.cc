// Priority orders of a run's picks (see priority.h).
#include "fuzzers/explore/priority.h"

#include <algorithm>

#include "fuzzers/exec/executor.h"
#include "fuzzers/explore/explore.h"

namespace nsfuzz {

std::vector<uint8_t> order_seeds(int n) {
  std::vector<uint8_t> seeds;
  std::vector<std::vector<int>> seen;
  for (int seed = 0; seed < 256; ++seed) {
    int prio[kMaxThreads + 1];
    initial_priorities(static_cast<uint8_t>(seed), n, prio);
    std::vector<int> order;
    for (int i = 1; i <= n; ++i) order.push_back(i);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return prio[a] > prio[b]; });
    if (std::find(seen.begin(), seen.end(), order) != seen.end()) continue;
    seen.push_back(order);
    seeds.push_back(static_cast<uint8_t>(seed));
  }
  return seeds;
}

void note_pick(uint32_t outranks[kMaxThreads + 1], int q, uint32_t can_run) {
  outranks[q] |= can_run & ~(1u << q);
  for (int k = 1; k <= kMaxThreads; ++k)
    for (int i = 1; i <= kMaxThreads; ++i)
      if (outranks[i] >> k & 1) outranks[i] |= outranks[k];
}

uint8_t seed_for(const uint32_t outranks[kMaxThreads + 1], int n,
                 const std::vector<uint8_t> &seeds) {
  for (uint8_t seed : seeds) {
    int prio[kMaxThreads + 1];
    initial_priorities(seed, n, prio);
    bool fits = true;
    for (int x = 1; x <= n; ++x)
      for (int y = 1; y <= n; ++y)
        if ((outranks[x] >> y & 1) && prio[x] <= prio[y]) fits = false;
    if (fits) return seed;
  }
  return seeds.front();  // not reached: the picks follow some order
}

}  // namespace nsfuzz
