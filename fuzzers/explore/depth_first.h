// The depth-first Chooser: one run of the tree at a time, its preemptions
// within the bound, its free picks, and what the run tells DPOR (dpor.h),
// the trace class and the parent (records.h).
#ifndef NSFUZZ_FUZZERS_EXPLORE_DEPTH_FIRST_H_
#define NSFUZZ_FUZZERS_EXPLORE_DEPTH_FIRST_H_

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/schedule.h"
#include "fuzzers/explore/dpor.h"
#include "fuzzers/explore/explore.h"
#include "fuzzers/explore/footprint.h"
#include "fuzzers/explore/priority.h"
#include "fuzzers/explore/records.h"
#include "fuzzers/explore/tree.h"

namespace nsfuzz {

// It runs on the workers, built like the executor without TSan (see BUILD):
// its state is ordered by the invisible token only, and it allocates
// nothing during a run (a reallocation on one worker of memory another
// allocated would be a race in TSan's eyes).
class DepthFirst final : public Chooser {
 public:
  DepthFirst(const ExploreOptions &o, int record_fd, RecordBuffer *log)
      : o_(o), record_fd_(record_fd), log_(log) {
    path_.reserve(kMaxNodes);
  }

  // Before each run: the path it follows starts the run's records.
  void begin() {
    if (record_fd_ >= 0)
      for (const Node &n : path_) emit(node_record(n));
    ids_n_ = 0;
    pos_ = 0, preemptions_ = 0, asleep_ = 0, blocked_ = false;
    std::fill(std::begin(outranks_), std::end(outranks_), 0);
    for (ThreadView &v : seen_) v = ThreadView{};
    ran_ = 0, trace_class_ = 0, events_ = 0, step_node_ = -1;
    std::fill(std::begin(steps_of_), std::end(steps_of_), 0);
    std::fill(std::begin(level_of_), std::end(level_of_), 0);
  }
  bool sleep_blocked() const { return blocked_; }
  // A run had more steps or choices than fit: the tree was cut short.
  bool overflowed() const { return overflow_; }
  // After a run: its interleaving up to reordering independent steps.
  uint64_t trace_class() const { return trace_class_; }
  // After a run: the priority order its policy picks needed.
  const uint32_t *outranks() const { return outranks_; }

  // In place of a run that a finding ended: the tree as it left it, and
  // the steps it ran, objects as numbers (next() reads them, then begin()
  // forgets them).
  void resume(const std::vector<Node> &path,
              const std::vector<RanStepRecord> &steps, bool overflow) {
    path_.assign(path.begin(), path.end());  // capacity kept: kMaxNodes
    pos_ = path_.size();
    overflow_ = overflow;
    events_ = ran_ = 0;
    for (const RanStepRecord &s : steps) {
      if (events_ == kMaxNodes) break;
      Footprint f;
      f.all = s.all;
      for (uint8_t id : s.objs)
        f.add(reinterpret_cast<const void *>(static_cast<uintptr_t>(id)));
      ran_steps_[ran_++] = {f, 0};
      events_of_[events_++] = {s.thread, s.node, s.last_node};
    }
  }

  // After a run: the next path to run, or false when the tree is done.
  bool next() {
    if (o_.dpor) add_backtracks(events_of_, ran_steps_, events_, path_);
    while (!path_.empty() && !path_.back().todo) path_.pop_back();
    if (path_.empty()) return false;
    Node &b = path_.back();
    b.done |= 1u << b.chosen;
    b.chosen = __builtin_ctz(b.todo);
    b.todo &= b.todo - 1;
    return true;
  }

  int choose(const Choice &c) override {
    // The running thread just ran a step: what it depends on wakes up.
    if (c.running) {
      record_step(c.running, step_footprint(seen_[c.running], c));
      if (!c.proposed && c.kind == Choice::finished) return 0;  // the end
      for (int x = 1; x <= c.n; ++x)
        if ((asleep_ >> x & 1) && dependent(c.threads[x], seen_[c.running]))
          asleep_ &= ~(1u << x);
    }
    for (int x = 1; x <= c.n; ++x) seen_[x] = c.threads[x];
    step_node_ = -1;
    int chosen = c.kind == Choice::point ? at_point(c) : at_pick(c);
    if (asleep_ >> chosen & 1) blocked_ = true;
    if (record_fd_ >= 0 && !blocked_ && events_ < kMaxNodes)
      emit(step_start_record(chosen, step_node_, last_node()));
    return chosen;
  }

 private:
  int at_point(const Choice &c) {
    int t = c.running;
    if (blocked_ || preemptions_ >= o_.preemptions) return t;
    uint32_t others = 0;  // "go on" first, then these by number
    for (int u = 1; u <= c.n; ++u)
      if (u != t && c.threads[u].runnable &&
          (!o_.dependent_only || dependent(seen_[u], seen_[t])))
        others |= 1u << u;
    if (!others) return t;  // no choice here
    int chosen = decide(t, others | 1u << t, runnable(c) | 1u << t);
    if (chosen != t) ++preemptions_;
    return chosen;
  }

  // Who runs where the running thread blocks or finishes (or at the
  // start): the highest in a priority order, so any runnable thread that
  // no earlier pick of this run placed below another runnable one. Free:
  // no preemption. The order the picks need is kept (outranks_), and the
  // run's seed is one that gives it (seed_for).
  int at_pick(const Choice &c) {
    uint32_t can_run = runnable(c) & ~(1u << c.running);
    uint32_t cands = 0;
    for (int q = 1; q <= c.n; ++q) {
      if (!(can_run >> q & 1)) continue;
      bool below = false;
      for (int r = 1; r <= c.n; ++r)
        if (r != q && (can_run >> r & 1) && (outranks_[r] >> q & 1))
          below = true;
      if (!below) cands |= 1u << q;
    }
    int chosen = cands >> c.proposed & 1 ? c.proposed : __builtin_ctz(cands);
    if (!blocked_ && (cands & (cands - 1)))
      chosen = decide(chosen, cands, can_run);
    note_pick(outranks_, chosen, can_run);
    if (record_fd_ >= 0) emit(make_record(RecordKind::pick, chosen, can_run));
    return chosen;
  }

  static uint32_t runnable(const Choice &c) {
    uint32_t m = 0;
    for (int u = 1; u <= c.n; ++u)
      if (c.threads[u].runnable) m |= 1u << u;
    return m;
  }

  // A choice among `enabled`, `preferred` first: the path's, when
  // replaying it, else a new node.
  int decide(int preferred, uint32_t enabled, uint32_t can_run) {
    if (pos_ < path_.size()) {
      const Node &node = path_[pos_++];
      step_node_ = static_cast<int>(pos_ - 1);
      if (o_.sleep_sets) asleep_ |= node.done;
      return node.chosen;
    }
    if (path_.size() == kMaxNodes) {
      cut_short();
      return preferred;
    }
    uint32_t awake = enabled & ~asleep_;
    if (!awake) {
      blocked_ = true;
      return preferred;
    }
    Node node;
    node.chosen = awake >> preferred & 1 ? preferred : __builtin_ctz(awake);
    node.todo = o_.dpor ? 0 : awake & ~(1u << node.chosen);
    node.enabled = enabled, node.runnable = can_run, node.asleep = asleep_;
    path_.push_back(node);
    if (record_fd_ >= 0) emit(node_record(node));
    step_node_ = static_cast<int>(pos_++);
    return node.chosen;
  }

  // The run's trace class: the hash of its Foata normal form, each step
  // (thread, its number in the thread) at its level, one above the
  // highest of the earlier steps of its thread or dependent on it. The sum
  // of the steps' hashes, so the order within a level does not count.
  void note_step(int t, const Footprint &v) {
    uint32_t level = level_of_[t];
    for (size_t i = 0; i < ran_; ++i)
      if (ran_steps_[i].level > level && dependent(ran_steps_[i].v, v))
        level = ran_steps_[i].level;
    level_of_[t] = ++level;
    uint64_t x = static_cast<uint64_t>(level) << 40 |
                 static_cast<uint64_t>(t) << 32 | ++steps_of_[t];
    x = (x ^ x >> 31) * 0x9e3779b97f4a7c15ull;  // spread before the sum
    trace_class_ += x ^ x >> 29;
    if (ran_ < kMaxNodes) ran_steps_[ran_++] = {v, level};
  }

  void record_step(int t, const Footprint &f) {
    note_step(t, f);
    if (blocked_) return;
    if (events_ == kMaxNodes) {
      cut_short();
      return;
    }
    events_of_[events_++] = {t, step_node_, last_node()};
    if (record_fd_ >= 0) put_footprint(f);
  }
  int last_node() const { return static_cast<int>(pos_) - 1; }
  void cut_short() {
    if (!overflow_ && record_fd_ >= 0)
      emit(make_record(RecordKind::cut_short, 0, 0));
    overflow_ = true;
  }

  // 'F' records: whether it touched everything, then its objects' numbers
  // in this run, five a record. Past 255 objects a step touches everything.
  void put_footprint(const Footprint &f) {
    uint8_t ids[kMaxTouched + 2];
    bool all = f.all;
    for (int i = 0; i < f.n; ++i) {
      int id = 0;
      while (id < ids_n_ && ids_of_[id] != f.objs[i]) ++id;
      if (id == ids_n_ && ids_n_ < kMaxIds) ids_of_[ids_n_++] = f.objs[i];
      if (id == kMaxIds) all = true;
      ids[i] = static_cast<uint8_t>(id < kMaxIds ? id + 1 : 0);  // 0: none
    }
    int i = 0;
    do {
      emit(footprint_record(all, ids + i, f.n - i));
      i += kIdsPerRecord;
    } while (i < f.n);
  }
  void emit(const Record &rec) { log_->put(rec); }

  const ExploreOptions &o_;
  int record_fd_;
  RecordBuffer *log_;  // the run's records ('N', 'T', 'F', 'O', 'V')
  static constexpr int kMaxIds = 255;
  const void *ids_of_[kMaxIds];  // the run's objects, numbered for 'F'
  int ids_n_ = 0;
  uint32_t outranks_[kMaxThreads + 1];  // bit y of [x]: x above y
  std::vector<Node> path_;
  size_t pos_ = 0;
  int preemptions_ = 0;
  uint32_t asleep_ = 0;  // bit x: thread x sleeps
  bool blocked_ = false;
  ThreadView seen_[kMaxThreads + 1];  // each thread's position, last seen
  RanStep ran_steps_[kMaxNodes];      // the run's steps so far (no allocation)
  Event events_of_[kMaxNodes];
  size_t events_ = 0;
  int step_node_ = -1;
  bool overflow_ = false;
  size_t ran_ = 0;
  uint32_t steps_of_[kMaxThreads + 1] = {}, level_of_[kMaxThreads + 1] = {};
  uint64_t trace_class_ = 0;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXPLORE_DEPTH_FIRST_H_
