// Bounded DPOR's backtracking (see dpor.h).
#include "fuzzers/explore/dpor.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace nsfuzz {

namespace {

// Whether node n now runs q first on some path.
bool add(std::vector<Node> &path, int n, int q) {
  Node &node = path[n];
  uint32_t want = node.enabled >> q & 1 ? 1u << q : 0;
  if (!(node.runnable >> q & 1)) want = node.enabled;  // blocked there
  node.todo |= want & ~node.asleep & ~node.done & ~(1u << node.chosen);
  return node.enabled >> q & 1 && !(node.asleep >> q & 1);
}

// q first where step k was chosen, or the nearest choice before it where
// q can go first.
void place(const Event *events, std::vector<Node> &path, int k, int q) {
  const Event &e = events[k];
  for (int n = e.node >= 0 ? e.node : e.last_node; n >= 0; --n)
    if (add(path, n, q)) return;
}

void backtrack(const Event *events, std::vector<Node> &path, int i, int q) {
  place(events, path, i, q);
  int b = i;  // the block of i's thread: its steps in a row up to i
  while (b > 0 && events[b - 1].thread == events[i].thread) --b;
  if (events[b].node != events[i].node) place(events, path, b, q);
}

}  // namespace

void add_backtracks(const Event *events, const RanStep *steps, size_t m,
                    std::vector<Node> &path) {
  // clock[k][x]: how many of x's steps happen before step k (or are it).
  std::vector<std::array<uint32_t, kMaxThreads + 1>> clock(m);
  std::array<uint32_t, kMaxThreads + 1> count{};
  std::vector<uint32_t> nth(m);
  int last_of[kMaxThreads + 1];
  std::fill(std::begin(last_of), std::end(last_of), -1);
  for (size_t j = 0; j < m; ++j) {
    int q = events[j].thread;
    std::array<uint32_t, kMaxThreads + 1> c{};
    if (last_of[q] >= 0) c = clock[last_of[q]];
    std::array<uint32_t, kMaxThreads + 1> before = c;  // j's or a race's
    for (size_t i = j; i-- > 0;) {
      int p = events[i].thread;
      if (p == q || !dependent(steps[i].v, steps[j].v)) continue;
      if (before[p] < nth[i]) {  // a race
        backtrack(events, path, static_cast<int>(i), q);
        for (int x = 0; x <= kMaxThreads; ++x)
          before[x] = std::max(before[x], clock[i][x]);
      }
      for (int x = 0; x <= kMaxThreads; ++x) c[x] = std::max(c[x], clock[i][x]);
    }
    nth[j] = ++count[q];
    c[q] = nth[j];
    clock[j] = c;
    last_of[q] = static_cast<int>(j);
  }
}

}  // namespace nsfuzz
