// The bounded explorer (see explore.h): a depth-first Chooser, the search
// loop, and the child process that runs it.
#include "fuzzers/explore/explore.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
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

// Our records on the decisions' fd: 8 bytes, like schedule.h's, of kinds
// it skips. 'X': a schedule starts (its number); 'O': a pick where a
// thread blocked or finished (the thread, the runnable ones: it outranks
// the others); 'E': the search ended (complete, schedules); 'B': how many
// were sleep-blocked; 'C': how many distinct trace classes ran.
constexpr size_t kRecord = 8;
void put_record(int fd, char kind, uint8_t flag, uint32_t value) {
  char rec[kRecord] = {kind, static_cast<char>(flag), 0, 0};
  std::memcpy(rec + 4, &value, 4);
  raw_write(fd, rec, sizeof rec);
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

// The chooser runs on the workers, built like the executor without TSan
// (see BUILD): its state is ordered by the invisible token only, and it
// allocates nothing during a run (a reallocation on one worker of memory
// another allocated would be a race in TSan's eyes).
constexpr size_t kMaxNodes = 4096;

class DepthFirst final : public Chooser {
 public:
  DepthFirst(const ExploreOptions &o, int record_fd)
      : o_(o), record_fd_(record_fd) {
    path_.reserve(kMaxNodes);
  }

  // Before each run.
  void begin() {
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
    if (record_fd_ >= 0) put_record(record_fd_, 'O', chosen, can_run);
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
      overflow_ = true;
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
      overflow_ = true;
      return;
    }
    events_of_[events_++] = {t, step_node_, last_node()};
  }
  int last_node() const { return static_cast<int>(pos_) - 1; }

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

}  // namespace

ExploreStats explore_here(Executor &e, const Program &p,
                          const ExploreOptions &o, int record_fd,
                          std::vector<ExploredSchedule> *log) {
  ExploreStats st;
  st.hash = 0xcbf29ce484222325ull;
  std::unordered_set<uint64_t> classes;
  Program base = exploration_base(p);
  // On the heap: it holds a run's steps.
  auto owned = std::make_unique<DepthFirst>(o, record_fd);
  const std::vector<uint8_t> seeds = order_seeds(p.threads);
  DepthFirst &dfs = *owned;
  do {
    if (o.budget && st.schedules == o.budget) return st;
    if (record_fd >= 0)
      put_record(record_fd, 'X', 0, static_cast<uint32_t>(st.schedules));
    ++st.schedules;
    dfs.begin();
    RunOptions ro;
    ro.bug = o.bug;
    ro.chooser = &dfs;
    ro.record_fd = record_fd;
    RunResult r = e.run(base, ro);
    uint8_t seed = seed_for(dfs.outranks(), p.threads, seeds);
    st.sleep_blocked += dfs.sleep_blocked();
    classes.insert(dfs.trace_class());
    st.classes = classes.size();
    st.hash = mix(st.hash, seed);
    for (const Decision &d : r.schedule.decisions)
      st.hash =
          mix(mix(mix(st.hash, d.at.thread * 64 + static_cast<int>(d.at.site)),
                  d.at.nth),
              d.to * 8 + static_cast<int>(d.why));
    if (log) log->push_back({seed, r.schedule.decisions});
  } while (dfs.next());
  st.complete = !dfs.overflowed();
  return st;
}

namespace {

struct ChildOutput {
  std::string records, err;
  int status = 0;
};

// Runs `body` in a child process whose stdout is /dev/null and whose
// stderr is captured; body gets the write end of the records pipe.
template <typename Body>
std::optional<ChildOutput> in_child(Body body) {
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
  pollfd fds[2] = {{rec[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string *into[2] = {&out.records, &out.err};
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
      if (n > 0) {
        into[i]->append(buf, n);
        // Keep only what follows the last marker: a long search writes
        // many megabytes of decisions.
        if (i == 0 && out.records.size() > (1u << 20)) {
          size_t keep = out.records.size() / kRecord * kRecord;
          for (size_t at = keep; at >= kRecord; at -= kRecord)
            if (out.records[at - kRecord] == 'X') {
              out.records.erase(0, at - kRecord);
              break;
            }
        }
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
  std::optional<ChildOutput> out = in_child([&](int fd) {
    Executor e;
    ExploreStats st = explore_here(e, p, o, fd);
    put_record(fd, 'B', 0, static_cast<uint32_t>(st.sleep_blocked));
    put_record(fd, 'C', 0, static_cast<uint32_t>(st.classes));
    put_record(fd, 'E', st.complete, static_cast<uint32_t>(st.schedules));
  });
  if (!out) {
    res.error = std::string("cannot start a child: ") + std::strerror(errno);
    return res;
  }
  // The last schedule: its marker and the records after it.
  ExploredSchedule last;
  std::string since;
  uint32_t outranks[kMaxThreads + 1] = {};
  bool ended = false;
  for (size_t i = 0; i + kRecord <= out->records.size(); i += kRecord) {
    const char *r = out->records.data() + i;
    uint32_t value;
    std::memcpy(&value, r + 4, 4);
    if (r[0] == 'X') {
      res.stats.schedules = value + 1;
      since.clear();
      std::fill(std::begin(outranks), std::end(outranks), 0);
    } else if (r[0] == 'O') {
      note_pick(outranks, static_cast<uint8_t>(r[1]) % (kMaxThreads + 1),
                value);
    } else if (r[0] == 'C') {
      res.stats.classes = value;
    } else if (r[0] == 'B') {
      res.stats.sleep_blocked = value;
    } else if (r[0] == 'E') {
      ended = true;
      res.stats.complete = r[1] != 0;
      res.stats.schedules = value;
    } else {
      since.append(r, kRecord);
    }
  }
  if (ended && WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0)
    return res;
  res.finding = true;
  res.report = out->err;
  if (std::optional<Signature> sig = signature_of(out->err))
    res.signature = sig->str();
  last.seed = seed_for(outranks, p.threads, order_seeds(p.threads));
  last.decisions = read_records(since).decisions;
  res.program = schedule_program(p, last);
  // Once more, alone, in a fresh child.
  Program again = res.program;
  std::optional<ChildOutput> check = in_child([&](int) {
    Executor e;
    RunOptions ro;
    ro.bug = o.bug;
    e.run(again, ro);
  });
  if (check && !res.signature.empty()) {
    std::optional<Signature> sig = signature_of(check->err);
    res.replayed = sig && sig->str() == res.signature;
  }
  return res;
}

}  // namespace nsfuzz
