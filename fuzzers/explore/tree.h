// The tree of the depth-first search: its nodes, and the steps of a run.
#ifndef NSFUZZ_FUZZERS_EXPLORE_TREE_H_
#define NSFUZZ_FUZZERS_EXPLORE_TREE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

// The most nodes a path and steps a run may have; past them the tree is
// cut short (ExploreStats::complete false).
inline constexpr size_t kMaxNodes = 4096;

// A choice point of the tree: the thread chosen now, those still to run
// (bit x: thread x), those already run (they sleep in the subtrees after).
struct Node {
  int chosen = 0;
  uint32_t todo = 0, done = 0;
  // Who could go first there (at a point: the running thread and those it
  // may switch to), who was runnable at all, who slept: for DPOR.
  uint32_t enabled = 0, runnable = 0, asleep = 0;
};

// A step of a run: its thread, the node that chose it (-1: not a choice)
// and the last node before it.
struct Event {
  int thread;
  int node;
  int last_node;
};

// A step of a run as the parent saw it in the records: its thread and
// nodes, and its footprint, objects numbered in their order in the run
// (from 1). A step whose footprint never came (a finding ended it)
// touched, for all we know, everything.
struct RanStepRecord {
  int thread = 0, node = -1, last_node = -1;
  bool all = true;
  std::vector<uint8_t> objs;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_TREE_H_
