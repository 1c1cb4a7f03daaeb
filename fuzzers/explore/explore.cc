// The bounded explorer (see explore.h): a depth-first Chooser, the search
// loop, and the child process that runs it.
#include "fuzzers/explore/explore.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <unordered_set>

#include "fuzzers/exec/handoff.h"
#include "fuzzers/triage/signature.h"

namespace nsfuzz {

Program exploration_base(const Program &p) {
  Program b = p;
  b.format = kFormatV2;
  b.switches.clear();
  b.step_switches.clear();
  b.policy = Policy{};
  return b;
}

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

Program schedule_program(const Program &p, const ExploredSchedule &s) {
  Program b = exploration_base(p);
  b.policy.priorities = s.seed;
  return with_schedule(b, s.decisions);
}

namespace {

// Our records, in the stream of the executor's decisions: schedule.h's
// Record, of kinds it skips. They let the parent follow the search, and go
// on with it in a new child after a finding of another signature
// (ExploreOptions::signature). 'X': a schedule starts (its number). Then,
// in the order they happen, the executor's decisions and: 'N', a node of
// the tree (the path as it stands at the start of the run, then each new
// one); 'O', a pick where a thread blocked or finished (the thread, the
// runnable ones: it outranks the others); 'T', a step starts (its thread
// and nodes); 'F', the footprint of the step that ended (objects as
// numbers of the run); 'V', the tree was cut short. Then 'R' and 'H': the
// run ended (sleep-blocked, its trace class). 'E': the search ended
// (complete). All go through one RecordBuffer (schedule.h), in memory the
// child shares with the parent (explore()): written out when it fills and
// when the search ends, and read from memory by the parent when a finding
// ends the child.
constexpr size_t kRecord = kRecordSize;
Record make_record(char kind, uint8_t flag, uint32_t value) {
  Record rec = {kind, static_cast<char>(flag)};
  std::memcpy(rec.data() + 4, &value, 4);
  return rec;
}
void put_record(int fd, char kind, uint8_t flag, uint32_t value) {
  raw_write(fd, make_record(kind, flag, value).data(), kRecord);
}

// A pick of q among the runnable threads `can_run`: q outranks the others,
// and every thread below one x outranks is below x (Warshall).
void note_pick(uint32_t outranks[kMaxThreads + 1], int q, uint32_t can_run) {
  outranks[q] |= can_run & ~(1u << q);
  for (int k = 1; k <= kMaxThreads; ++k)
    for (int i = 1; i <= kMaxThreads; ++i)
      if (outranks[i] >> k & 1) outranks[i] |= outranks[k];
}

// The first of `seeds` (order_seeds(n)) whose priority order puts every x
// above the threads of outranks[x].
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

// What a step that ran touched: the objects of the points it started and
// ended at and those it touched in between (sched_access). A step that
// starts or ends at a point with no object (the RCU state), is a thread's
// first (from no point) or touched too many counts as touching everything.
struct Footprint {
  const void *objs[kMaxTouched + 2];
  int n = 0;
  bool all = false;
  void add(const void *o) {
    if (!o) {
      all = true;
      return;
    }
    for (int i = 0; i < n; ++i)
      if (objs[i] == o) return;
    objs[n++] = o;
  }
};

bool dependent(const Footprint &a, const Footprint &b) {
  if (a.all || b.all) return true;
  for (int i = 0; i < a.n; ++i)
    for (int j = 0; j < b.n; ++j)
      if (a.objs[i] == b.objs[j]) return true;
  return false;
}

// The footprint of the step the running thread of `c` just ran from `from`.
Footprint step_footprint(const ThreadView &from, const Choice &c) {
  Footprint f;
  if (!from.started) f.all = true;
  f.add(from.obj);
  if (c.touched_n < 0) f.all = true;
  for (int i = 0; i < c.touched_n; ++i) f.add(c.touched[i]);
  // Where it stands now, unless it finished (no point ends that step).
  if (c.kind != Choice::finished) f.add(c.threads[c.running].obj);
  return f;
}

// A choice point of the tree: the thread chosen now, those still to run
// (bit x: thread x), those already run (they sleep in the subtrees after).
struct Node {
  int chosen = 0;
  uint32_t todo = 0, done = 0;
  // Who could go first there (at a point: the running thread and those it
  // may switch to), who was runnable at all, who slept: for DPOR.
  uint32_t enabled = 0, runnable = 0, asleep = 0;
};

// A node as an 'N' record: each set of threads fits a byte (kMaxThreads).
Record node_record(const Node &n) {
  return {'N',
          static_cast<char>(n.chosen),
          static_cast<char>(n.todo),
          static_cast<char>(n.done),
          static_cast<char>(n.enabled),
          static_cast<char>(n.runnable),
          static_cast<char>(n.asleep),
          0};
}
Node read_node(const uint8_t *r) {
  return {r[1] % (kMaxThreads + 1), r[2], r[3], r[4], r[5], r[6]};
}

// A step of a run as the parent saw it ('T', then 'F'): its thread, the
// node that chose it (-1: none), the last node before it, and its
// footprint, objects numbered in their order in the run (from 1). A step
// whose 'F' never came (a finding ended it) touched, for all we know,
// everything.
struct RanStepRecord {
  int thread = 0, node = -1, last_node = -1;
  bool all = true;
  std::vector<uint8_t> objs;
};

// The chooser runs on the workers, built like the executor without TSan
// (see BUILD): its state is ordered by the invisible token only, and it
// allocates nothing during a run (a reallocation on one worker of memory
// another allocated would be a race in TSan's eyes).
constexpr size_t kMaxNodes = 4096;

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
    if (o_.dpor) add_backtracks();
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
    if (record_fd_ >= 0 && !blocked_ && events_ < kMaxNodes) {
      Record rec = {'T', static_cast<char>(chosen)};
      int16_t nodes[2] = {static_cast<int16_t>(step_node_),
                          static_cast<int16_t>(last_node())};
      std::memcpy(rec.data() + 4, nodes, 4);
      emit(rec);
    }
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
    if (record_fd_ >= 0) emit(make_record('O', chosen, can_run));
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
    if (!overflow_ && record_fd_ >= 0) emit(make_record('V', 0, 0));
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
      Record rec = {'F', all, static_cast<char>(std::min(5, f.n - i))};
      for (int k = 0; k < rec[2]; ++k) rec[3 + k] = ids[i + k];
      emit(rec);
      i += 5;
    } while (i < f.n);
  }
  void emit(const Record &rec) { log_->put(rec); }

  // DPOR (Flanagan and Godefroid, POPL'05), bounded as Coons, Musuvathi
  // and McKinley bound it (OOPSLA'13). A race of the run: a step j and an
  // earlier step i of another thread that j depends on, with no step
  // between them that i happens before and that happens before j (vector
  // clocks). Its reversal is tried by running j's thread first where i's
  // step was chosen, and where the block of i's thread holding i began
  // (from there the reversed order can need one preemption fewer). Every
  // race, not only the latest before j: with a bound, the run that
  // reverses the latest may need a preemption too many to show the others.
  void add_backtracks() {
    size_t m = events_;
    // clock[k][x]: how many of x's steps happen before step k (or are it).
    std::vector<std::array<uint32_t, kMaxThreads + 1>> clock(m);
    std::array<uint32_t, kMaxThreads + 1> count{};
    std::vector<uint32_t> nth(m);
    int last_of[kMaxThreads + 1];
    std::fill(std::begin(last_of), std::end(last_of), -1);
    for (size_t j = 0; j < m; ++j) {
      int q = events_of_[j].thread;
      std::array<uint32_t, kMaxThreads + 1> c{};
      if (last_of[q] >= 0) c = clock[last_of[q]];
      std::array<uint32_t, kMaxThreads + 1> before = c;  // j's or a race's
      for (size_t i = j; i-- > 0;) {
        int p = events_of_[i].thread;
        if (p == q || !dependent(ran_steps_[i].v, ran_steps_[j].v)) continue;
        if (before[p] < nth[i]) {  // a race
          backtrack(static_cast<int>(i), q);
          for (int x = 0; x <= kMaxThreads; ++x)
            before[x] = std::max(before[x], clock[i][x]);
        }
        for (int x = 0; x <= kMaxThreads; ++x)
          c[x] = std::max(c[x], clock[i][x]);
      }
      nth[j] = ++count[q];
      c[q] = nth[j];
      clock[j] = c;
      last_of[q] = static_cast<int>(j);
    }
  }
  void backtrack(int i, int q) {
    place(i, q);
    int b = i;  // the block of i's thread: its steps in a row up to i
    while (b > 0 && events_of_[b - 1].thread == events_of_[i].thread) --b;
    if (events_of_[b].node != events_of_[i].node) place(b, q);
  }
  // q first where step k was chosen. Where that is no choice (a policy
  // pick, or the bound was spent) or q cannot go first there, the nearest
  // choice before it where it can; where q could not run at all (blocked),
  // every thread that could is tried there too (Flanagan and Godefroid's
  // rule), and q still earlier, before what blocked it.
  void place(int k, int q) {
    const Event &e = events_of_[k];
    for (int n = e.node >= 0 ? e.node : e.last_node; n >= 0; --n)
      if (add(n, q)) return;
  }
  // Whether node n now runs q first on some path.
  bool add(int n, int q) {
    Node &node = path_[n];
    uint32_t want = node.enabled >> q & 1 ? 1u << q : 0;
    if (!(node.runnable >> q & 1)) want = node.enabled;  // blocked there
    node.todo |= want & ~node.asleep & ~node.done & ~(1u << node.chosen);
    return node.enabled >> q & 1 && !(node.asleep >> q & 1);
  }

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
  struct RanStep {
    Footprint v;
    uint32_t level;
  };
  RanStep ran_steps_[kMaxNodes];  // the run's steps so far (no allocation)
  struct Event {
    int thread;
    int node;       // the node that chose this step (-1: not a choice)
    int last_node;  // the last node before it
  };
  Event events_of_[kMaxNodes];
  size_t events_ = 0;
  int step_node_ = -1;
  bool overflow_ = false;
  size_t ran_ = 0;
  uint32_t steps_of_[kMaxThreads + 1] = {}, level_of_[kMaxThreads + 1] = {};
  uint64_t trace_class_ = 0;
};

uint64_t mix(uint64_t h, uint64_t v) {
  return (h ^ v) * 0x100000001b3ull;
}

// The stats of the schedules run so far, kept the same way by a search in
// this process and by the parent from a child's records.
struct Tally {
  ExploreStats st{.hash = 0xcbf29ce484222325ull};
  std::unordered_set<uint64_t> classes;
  // A schedule ran (a finding may have ended it).
  void ran(const ExploredSchedule &s) {
    ++st.schedules;
    st.hash = mix(st.hash, s.seed);
    for (const Decision &d : s.decisions)
      st.hash =
          mix(mix(mix(st.hash, d.at.thread * 64 + static_cast<int>(d.at.site)),
                  d.at.nth),
              d.to * 8 + static_cast<int>(d.why));
  }
  // It ran to its end: its trace class counts.
  void ended(uint64_t trace_class, bool sleep_blocked) {
    st.sleep_blocked += sleep_blocked;
    classes.insert(trace_class);
    st.classes = classes.size();
  }
};

// Where a search that a finding ended goes on: the stats with that
// schedule, the tree as its run left it, and the steps that run made.
struct Resume {
  Tally tally;
  std::vector<Node> path;
  std::vector<RanStepRecord> steps;
  bool overflow = false;
};

// records: the buffer the records go through on their way to record_fd
// (shared with the parent), or nullptr (a private one). Flushed at the end.
ExploreStats search(Executor &e, const Program &p, const ExploreOptions &o,
                    int record_fd, std::vector<ExploredSchedule> *log,
                    const Resume *from, RecordBuffer *records = nullptr) {
  Tally t = from ? from->tally : Tally{};
  Program base = exploration_base(p);
  // They hold a run's steps and records: large, so one search leaves them
  // to the next (a sweep runs one per Program, and fresh memory costs a
  // page fault a page).
  struct Scratch {
    RecordBuffer records;
    std::optional<DepthFirst> dfs;
    bool busy = false;
  };
  static Scratch *spare = nullptr;
  std::unique_ptr<Scratch> own;
  Scratch *scratch = spare;
  if (!scratch || scratch->busy) {
    own = std::make_unique<Scratch>();
    scratch = own.get();
    if (!spare) spare = own.release();
  }
  scratch->busy = true;
  struct Release {
    Scratch *s;
    ~Release() { s->busy = false; }
  } release{scratch};
  if (!records) records = &scratch->records, records->n = 0;
  records->fd = record_fd;
  DepthFirst &dfs = scratch->dfs.emplace(o, record_fd, records);
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  // A resumed search goes on after the run a finding ended.
  bool more = true;
  if (from) {
    dfs.resume(from->path, from->steps, from->overflow);
    more = dfs.next();
  }
  for (; more; more = dfs.next()) {
    if (o.budget && t.st.schedules == o.budget) {
      records->flush();
      return t.st;
    }
    if (record_fd >= 0)
      records->put(make_record('X', 0, static_cast<uint32_t>(t.st.schedules)));
    dfs.begin();
    RunOptions ro;
    ro.bug = o.bug;
    ro.chooser = &dfs;
    if (record_fd >= 0) ro.record_buffer = records;
    const RunResult &r = e.run(base, ro);
    ExploredSchedule s{seed_for(dfs.outranks(), p.threads, seeds),
                       r.schedule.decisions};
    t.ran(s);
    t.ended(dfs.trace_class(), dfs.sleep_blocked());
    if (record_fd >= 0) {  // the run's end
      uint64_t c = dfs.trace_class();
      records->put(
          make_record('R', dfs.sleep_blocked(), static_cast<uint32_t>(c)));
      records->put(make_record('H', 0, static_cast<uint32_t>(c >> 32)));
    }
    if (log) log->push_back(std::move(s));
  }
  records->flush();
  t.st.complete = !dfs.overflowed();
  return t.st;
}

}  // namespace

ExploreStats explore_here(Executor &e, const Program &p,
                          const ExploreOptions &o, int record_fd,
                          std::vector<ExploredSchedule> *log) {
  return search(e, p, o, record_fd, log, nullptr);
}

namespace {

// The parent's copy of a child's search, from its records: the stats of
// the schedules that ran to their end, and the one running now.
class Mirror {
 public:
  Mirror(int threads, const std::vector<uint8_t> &seeds, Tally from)
      : threads_(threads), seeds_(seeds), tally_(std::move(from)) {}

  void read(const uint8_t *r) {
    uint32_t value;
    std::memcpy(&value, r + 4, 4);
    switch (r[0]) {
      case 'X':
        since_.clear(), path_.clear(), steps_.clear();
        std::fill(std::begin(outranks_), std::end(outranks_), 0);
        break;
      case 'N': path_.push_back(read_node(r)); break;
      case 'O': note_pick(outranks_, r[1] % (kMaxThreads + 1), value); break;
      case 'T': {
        int16_t nodes[2];
        std::memcpy(nodes, r + 4, 4);
        steps_.push_back({r[1], nodes[0], nodes[1], true, {}});
        got_footprint_ = false;
        break;
      }
      case 'F':
        if (steps_.empty()) break;
        if (!got_footprint_) steps_.back().all = false;
        got_footprint_ = true;
        steps_.back().all |= r[1] != 0;
        for (int k = 0; k < r[2] && k < 5; ++k)
          steps_.back().objs.push_back(r[3 + k]);
        break;
      case 'R': class_ = value, blocked_ = r[1] != 0; break;
      case 'H':
        tally_.ran(current());
        tally_.ended(class_ | static_cast<uint64_t>(value) << 32, blocked_);
        break;
      case 'V': overflow_ = true; break;
      case 'E': ended_ = true, complete_ = r[1] != 0; break;
      default:  // schedule.h's
        since_.append(reinterpret_cast<const char *>(r), kRecord);
    }
  }

  bool ended() const { return ended_; }
  // The stats of the schedules that ran to their end.
  ExploreStats stats() const {
    ExploreStats st = tally_.st;
    st.complete = complete_;
    return st;
  }
  // The schedule the child ran last, up to where it stopped.
  ExploredSchedule current() const {
    return {seed_for(outranks_, threads_, seeds_),
            read_records(since_).decisions};
  }
  // The search after the current schedule, which a finding ended.
  Resume after_finding() const {
    Resume r{tally_, path_, steps_, overflow_};
    r.tally.ran(current());
    return r;
  }

 private:
  int threads_;
  const std::vector<uint8_t> &seeds_;
  Tally tally_;
  bool ended_ = false, complete_ = false, overflow_ = false;
  // The current schedule.
  std::string since_;
  uint32_t outranks_[kMaxThreads + 1] = {};
  std::vector<Node> path_;
  std::vector<RanStepRecord> steps_;
  bool got_footprint_ = false;
  uint32_t class_ = 0;
  bool blocked_ = false;
};

}  // namespace

ExploreStats explore_after(Executor &e, const Program &p,
                           const ExploreOptions &o, const std::string &records,
                           uint64_t n, std::vector<ExploredSchedule> *log) {
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  Mirror m(p.threads, seeds, Tally{});
  uint64_t started = 0;
  for (size_t at = 0; at + kRecord <= records.size(); at += kRecord) {
    const auto *r = reinterpret_cast<const uint8_t *>(records.data() + at);
    started += r[0] == 'X';
    if (started == n + 1 && r[0] == 'R') break;  // its last step ran
    m.read(r);
  }
  Resume from = m.after_finding();
  return search(e, p, o, -1, log, &from);
}

namespace {

// Runs `body` in a child process whose stdout is /dev/null and whose
// stderr is returned; body gets the write end of the records pipe, and
// each whole record it writes goes to on_record as it comes.
struct ChildOutput {
  std::string err;
  int status = 0;
};
template <typename Body, typename OnRecord>
std::optional<ChildOutput> in_child(Body body, OnRecord on_record) {
  int rec[2], err[2];
  if (pipe(rec) != 0) return std::nullopt;
  if (pipe(err) != 0) {
    close(rec[0]), close(rec[1]);
    return std::nullopt;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    close(rec[0]), close(err[0]);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(err[1], 2);
    body(rec[1]);
    _exit(0);
  }
  close(rec[1]), close(err[1]);
  ChildOutput out;
  std::string records;  // a record cut in two by a read
  pollfd fds[2] = {{rec[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[1 << 16];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0 && i == 1) {
        out.err.append(buf, n);
      } else if (n > 0) {
        records.append(buf, n);
        size_t whole = records.size() / kRecord * kRecord;
        for (size_t at = 0; at < whole; at += kRecord)
          on_record(reinterpret_cast<const uint8_t *>(records.data() + at));
        records.erase(0, whole);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  waitpid(pid, &out.status, 0);
  return out;
}

}  // namespace

ExploreResult explore(const Program &p, const ExploreOptions &o) {
  ExploreResult res;
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  // The records of the run going on, in memory the children write and this
  // process reads when one dies.
  void *shared = mmap(nullptr, sizeof(RecordBuffer), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    res.error = std::string("cannot map memory: ") + std::strerror(errno);
    return res;
  }
  std::unique_ptr<void, void (*)(void *)> unmap(
      shared, [](void *a) { munmap(a, sizeof(RecordBuffer)); });
  RecordBuffer *records = new (shared) RecordBuffer;
  std::optional<Resume> from;
  for (;;) {
    Mirror m(p.threads, seeds, from ? from->tally : Tally{});
    records->n = 0;
    std::optional<ChildOutput> out = in_child(
        [&](int fd) {
          Executor e;
          ExploreStats st =
              search(e, p, o, fd, nullptr, from ? &*from : nullptr, records);
          put_record(fd, 'E', st.complete, 0);
        },
        [&](const uint8_t *r) { m.read(r); });
    if (!out) {
      res.error = std::string("cannot start a child: ") + std::strerror(errno);
      return res;
    }
    res.stats = m.stats();
    if (m.ended() && WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0)
      return res;
    // The dead run's records that never reached the pipe.
    for (size_t i = 0; i < std::min(records->n, RecordBuffer::kCapacity); ++i)
      m.read(reinterpret_cast<const uint8_t *>(records->recs[i].data()));
    from = m.after_finding();
    res.stats = from->tally.st;
    std::optional<Signature> sig = signature_of(out->err);
    if (!o.signature.empty() && sig && sig->str() != o.signature) {
      // Another finding: count it, and go on after its schedule.
      if (res.other_findings++ == 0)
        res.other_signature = sig->str(), res.other_report = out->err;
      continue;
    }
    res.finding = true;
    res.report = out->err;
    if (sig) res.signature = sig->str();
    res.program = schedule_program(p, m.current());
    break;
  }
  // Once more, alone, in a fresh child.
  Program again = res.program;
  std::optional<ChildOutput> check = in_child(
      [&](int) {
        Executor e;
        RunOptions ro;
        ro.bug = o.bug;
        e.run(again, ro);
      },
      [](const uint8_t *) {});
  if (check && !res.signature.empty()) {
    std::optional<Signature> sig = signature_of(check->err);
    res.replayed = sig && sig->str() == res.signature;
  }
  return res;
}

}  // namespace nsfuzz
