// The deterministic scheduler. Built uninstrumented (see executor.h): all
// of its state is touched only by the thread holding the token.
#include "fuzzers/exec/executor.h"

#include <algorithm>
#include <atomic>
#include <string>

#include "core/finding.h"
#include "core/nsproxy.h"
#include "core/rcu.h"
#include "core/uapi.h"
#include "core/world.h"
#include "fuzzers/exec/handoff.h"
#include "fuzzers/program/fnv.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz {

struct Worker {
  int index = 0;  // Program thread number, 1..kMaxThreads (its seat)
  TaskLocal tl;   // its RCU reader slot, its spinlocks (core/sched.h)
  // Per run:
  task_struct *task = nullptr;
  std::vector<size_t> ops;          // indices into the Program's ops
  int op = -1;                      // the one running
  uint32_t passes[kNumSites] = {};  // per site: points passed so far
  Anchor last{};                    // the last point passed (nth 0: none yet)
  bool done = false;
  bool blocked = false;
  WaitFor wait{};
  Site wait_site{};
  int priority = 0;
  // Where the thread stands (started, site, obj, prev_obj; the rest of a
  // ThreadView is filled in by view()).
  ThreadView pos;
  // What its current step touched where it has no point (sched_access).
  const void *touched[kMaxTouched] = {};
  int touched_n = 0;  // -1: more than fit
};

namespace {

// The world a Program runs in: its protocol, fault and limits.
WorldOptions world_options(const Program &p, Bug bug) {
  WorldOptions wo;
  wo.protocol = p.protocol;
  wo.bug = bug;
  wo.fail_alloc = p.fail_alloc;
  wo.limits = p.limits;
  return wo;
}

#if defined(__has_feature)
#if __has_feature(coverage_sanitizer)
#define NSFUZZ_SANCOV 1
#endif
#endif
#ifdef NSFUZZ_SANCOV
extern "C" thread_local uintptr_t __sancov_lowest_stack;
#endif

// libFuzzer's stack-depth feature is this thread's lowest stack pointer seen
// by instrumented code. On threads each worker has its own, which libFuzzer
// never reads; fibers run on this thread with stacks elsewhere in memory, so
// their addresses would say nothing about depth, and give an input other
// features (another fuzzing path) than on threads. The caller's value is
// put back after everything the workers run.
class KeepLowestStack {
 public:
  KeepLowestStack() {}  // user-provided: an unused variable in other builds
  ~KeepLowestStack() {
#ifdef NSFUZZ_SANCOV
    __sancov_lowest_stack = saved_;
#endif
  }

#ifdef NSFUZZ_SANCOV
 private:
  uintptr_t saved_ = __sancov_lowest_stack;
#endif
};

}  // namespace

constexpr size_t kMaxPairs = 4096;
constexpr size_t kMaxDecisions = 4096;
constexpr size_t kMaxSteps = 1 << 16;
constexpr size_t kMaxTraceEvents = 1 << 16;

struct Executor::Impl final : Scheduler {
  Worker workers[kMaxThreads + 1];  // [0] unused: threads are 1-based
  const Backend backend;
  std::unique_ptr<Handoff> handoff;  // seat 0: the caller of run()
  bool shutdown = false;
  RunResult out;  // the last run's; its buffers are reused
  char run_start_sync = 0, run_end_sync = 0;  // TSan edges at the boundaries

  // Per run.
  const Program *prog = nullptr;
  const RunOptions *opts = nullptr;
  World *world = nullptr;
  RunResult *result = nullptr;
  int n = 0;
  int running = 0;
  size_t next_switch = 0;                          // v1: the next step switch
  bool anchored[kMaxThreads + 1][kNumSites] = {};  // v2: some switch here
  int last_thread = 0;
  Site last_site{};
  const void *last_obj = nullptr;
  std::atomic<int> free_running_left{0};
  Policy policy;
  int lowest_priority = 0;
  uint64_t conflicts = 0;  // conflicting points passed (Policy::conflicts)
  Choice choice;           // what ask() tells the chooser

  explicit Impl(Backend b) : backend(b) {
    // Every buffer a run writes is allocated here, once: under ASan a
    // buffer allocated per run is fresh memory, faulted in every time.
    out.results.reserve(kMaxOps);
    out.pairs.reserve(kMaxPairs);
    out.schedule.decisions.reserve(kMaxDecisions);
    handoff = Handoff::make(b, kMaxThreads, &worker_body, this);
    // One at a time, so that worker i always gets the same RCU reader slot:
    // the core's loops over the slots are coverage-instrumented, and a racy
    // slot order would give the same input different coverage per process.
    // A fiber sets the thread's TaskLocal pointer to its own as it starts
    // (and as it stops): the caller gets its own back after each, or it
    // would tear its worlds down as a worker (another RCU slot: another
    // path through the core, so other coverage than on threads).
    TaskLocal *const caller_local = sched_internal::task_local;
    KeepLowestStack keep;
    for (int i = 1; i <= kMaxThreads; ++i) {
      workers[i].index = i;
      // Never grown by a run: an input that left more mallocs than frees
      // would be run again by libFuzzer to look for a leak.
      workers[i].ops.reserve(kMaxOps);
      handoff->start(i);
      sched_internal::task_local = caller_local;
    }
  }

  ~Impl() override {
    shutdown = true;
    TaskLocal *const caller_local = sched_internal::task_local;
    KeepLowestStack keep;
    for (int i = 1; i <= kMaxThreads; ++i) {
      handoff->pass(0, i);
      handoff->stop(i);
      sched_internal::task_local = caller_local;
    }
  }

  static void worker_body(void *impl, int seat) {
    auto *self = static_cast<Impl *>(impl);
    self->worker_main(&self->workers[seat]);
  }

  // Worker `self` has the token: the core sees its task (a fiber shares
  // the thread's `current` and TaskLocal pointer with the others).
  void resume(Worker *self) {
    current = self->task;
    sched_internal::task_local = &self->tl;
  }

  void worker_main(Worker *self) {
    sched_internal::task_local = &self->tl;
    rcu_register_thread();  // once per task, for every run
    handoff->pass(self->index, 0);
    while (!shutdown) {
      tsan_acquire(&run_start_sync);
      resume(self);
      for (size_t i : self->ops) run_op(self, i);
      current = nullptr;
      self->done = true;
      tsan_release(&run_end_sync);
      if (opts->free_running) {
        if (free_running_left.fetch_sub(1) == 1)
          handoff->pass(self->index, 0);
        else
          handoff->wait(self->index);
        continue;
      }
      int next = pick(0);
      // Asked even when no thread is left, to see the last step.
      if (opts->chooser) next = ask(Choice::finished, next, 0);
      if (next) {
        note_switch(next, Decision{self->last, next, Reason::finished});
        handoff->pass(self->index, next);
      } else if (all_done()) {
        handoff->pass(self->index, 0);
      } else {
        report_deadlock();
      }
    }
    sched_internal::task_local = &self->tl;
    rcu_unregister_thread();
  }

  void run_op(Worker *self, size_t i) {
    const Op &op = prog->ops[i];
    self->op = static_cast<int>(i);
    if (opts->trace) event(TraceEvent::op_begin, self->index, {}, print_op(op));
    int ret = execute_op(op);
    result->results[i] = ret;
    if (opts->trace)
      event(TraceEvent::op_end, self->index, {}, errno_or_value(ret));
  }

  static std::string errno_or_value(int ret) {
    return ret >= 0 ? std::to_string(ret) : errno_name(ret);
  }

  void event(TraceEvent::Kind kind, int thread, Site site, std::string what,
             uint32_t nth = 0, const void *obj = nullptr) {
    if (result->trace.size() == result->trace.capacity()) return;
    result->trace.push_back({kind,
                             thread,
                             site,
                             std::move(what),
                             nth,
                             {},
                             reinterpret_cast<uintptr_t>(obj)});
    if (opts->trace_fd >= 0 && kind != TraceEvent::switch_to)
      flush_last_event();
  }
  void flush_last_event() {
    std::string line = format_event(result->trace.back());
    raw_write(opts->trace_fd, line.data(), line.size());
  }

  bool all_done() const {
    for (int i = 1; i <= n; ++i)
      if (!workers[i].done) return false;
    return true;
  }

  // Every read the scheduler makes of the core's state goes through these
  // two, blind to TSan (see TsanBlind): wait predicates and object names.
  static bool ready(const WaitFor &w) {
    TsanBlind blind;
    return w.ready(w.arg);
  }
  std::string describe(const void *obj) const {
    TsanBlind blind;
    return world->describe(obj);
  }

  bool runnable(int i) const {
    const Worker &w = workers[i];
    return !w.done && (!w.blocked || ready(w.wait));
  }

  // The runnable thread of highest priority other than `except`, or 0.
  int pick(int except) const {
    int best = 0;
    for (int i = 1; i <= n; ++i)
      if (i != except && runnable(i) &&
          (!best || workers[i].priority > workers[best].priority))
        best = i;
    return best;
  }

  // The token is about to go to `next`: the decision, as data.
  void note_switch(int next, const Decision &d) {
    ++result->switches;
    auto &decisions = result->schedule.decisions;
    if (decisions.size() < kMaxDecisions) decisions.push_back(d);
    if (opts->record_buffer)
      opts->record_buffer->put(decision_record(d));
    else if (opts->record_fd >= 0)
      write_decision(opts->record_fd, d);
    if (opts->trace) {
      event(TraceEvent::switch_to, next, {}, "");
      result->trace.back().decision = d;
      if (opts->trace_fd >= 0) flush_last_event();
    }
    running = next;
    // Whatever this worker wrote (trace included) happens-before teardown;
    // workers never acquire this, so no edge between workers.
    tsan_release(&run_end_sync);
  }

  // Hands the token from `self` to `next` and waits to get it back.
  void switch_to(Worker *self, int next, const Decision &d) {
    note_switch(next, d);
    handoff->pass(self->index, next);
    running = self->index;
    resume(self);
  }

  // --- Scheduler: called by the core on the running worker.
  void point(Site site, const void *obj) override {
    if (opts->free_running) {
      free_point(site);
      return;
    }
    Worker *self = &workers[running];
    uint64_t k = ++result->points;
    const Anchor at{self->index, site, ++self->passes[static_cast<int>(site)]};
    self->last = at;
    note_position(self, site, obj);
    result->hash =
        fnv_mix(result->hash, static_cast<uint64_t>(site) << 8 |
                                  static_cast<uint64_t>(self->index));
    if (last_thread && last_thread != self->index && obj == last_obj &&
        result->pairs.size() < result->pairs.capacity())
      result->pairs.push_back(static_cast<uint16_t>(
          static_cast<int>(last_site) * kNumSites + static_cast<int>(site)));
    last_thread = self->index, last_site = site, last_obj = obj;
    if (opts->record_steps) {
      Step st{at, self->op};
      if (result->schedule.steps.size() < kMaxSteps)
        result->schedule.steps.push_back(st);
      if (opts->record_buffer)
        opts->record_buffer->put(step_record(st));
      else if (opts->record_fd >= 0)
        write_step(opts->record_fd, st);
    }
    if (opts->trace)
      event(TraceEvent::point, self->index, site, describe(obj), at.nth, obj);
    if (k > opts->step_bound)
      report_finding(FindingKind::step_bound, "run", "executor",
                     "no end after " + std::to_string(opts->step_bound) +
                         " schedule points");
    if (opts->chooser) {
      int target = ask(Choice::point, self->index, 0);
      if (target != self->index)
        switch_to(self, target, Decision{at, target, Reason::preemption});
      return;
    }
    if (int target = switch_at(at, k)) {
      if (target != self->index && target <= n && runnable(target))
        switch_to(self, target, Decision{at, target, Reason::explicit_switch});
      return;
    }
    // The policy, PCT: at a change point (counted over every point, or
    // with `conflicts` over conflicting points only) the running thread
    // drops below every other. Then the highest runnable thread goes on:
    // at change points only, or (`conflicts`, strict PCT) at every
    // conflicting point, where one whose wait just ended takes over again.
    if (!policy.has_preemptions()) return;
    uint64_t count = k;
    if (policy.conflicts) {
      if (!conflicting(self->index)) return;
      count = ++conflicts;
    }
    bool change = false;
    for (uint8_t cp : policy.preempt) change |= cp == count;
    if (change)
      self->priority = --lowest_priority;
    else if (!policy.conflicts)
      return;
    int next = pick(self->index);
    if (next && workers[next].priority > self->priority)
      switch_to(self, next, Decision{at, next, Reason::preemption});
  }

  // --- Where the threads stand: for the chooser and conflicting points.
  static void note_position(Worker *w, Site site, const void *obj) {
    ThreadView &p = w->pos;
    p.prev_obj = p.obj, p.obj = obj, p.site = site, p.started = true;
  }
  ThreadView view(int i) const {
    ThreadView v = workers[i].pos;
    v.runnable = runnable(i), v.done = workers[i].done;
    v.blocked = workers[i].blocked;
    return v;
  }
  // Whether another runnable thread's next step depends on t's (a thread
  // without ops has no next step: it only finishes). At every point of a
  // `conflicts` run: positions first, the wait predicate only if needed.
  bool conflicting(int t) const {
    const ThreadView &vt = workers[t].pos;
    for (int u = 1; u <= n; ++u)
      if (u != t && !workers[u].ops.empty() && dependent(workers[u].pos, vt) &&
          runnable(u))
        return true;
    return false;
  }
  // The chooser's answer, or `proposed` when that thread cannot run.
  int ask(Choice::Kind kind, int proposed, int except) {
    Choice &c = choice;  // reused: only what this choice has is written
    c.kind = kind, c.running = running, c.proposed = proposed, c.n = n;
    for (int i = 1; i <= n; ++i) c.threads[i] = view(i);
    c.touched_n = 0;
    if (running) {  // its step ends here: the next one starts empty
      Worker &w = workers[running];
      c.touched_n = w.touched_n;
      std::copy(w.touched, w.touched + kMaxTouched, c.touched);
      w.touched_n = 0;
    }
    int t = opts->chooser->choose(c);
    if (proposed == 0) return 0;
    if (t < 1 || t > n || t == except || !runnable(t)) return proposed;
    return t;
  }

  // The thread the Program switches to at this point (v2: its anchor, v1:
  // the run's kth point), or 0.
  int switch_at(const Anchor &at, uint64_t k) {
    if (anchored[at.thread][static_cast<int>(at.site)]) {
      for (const Switch &s : prog->switches)
        if (s.at == at) return s.thread;
      return 0;
    }
    const auto &sw = prog->step_switches;
    while (next_switch < sw.size() && sw[next_switch].point < k) ++next_switch;
    if (next_switch < sw.size() && sw[next_switch].point == k)
      return sw[next_switch++].thread;
    return 0;
  }

  void access(const void *obj) override {
    if (opts->free_running || !opts->chooser) return;
    Worker &w = workers[running];
    if (w.touched_n < 0) return;
    for (int i = 0; i < w.touched_n; ++i)
      if (w.touched[i] == obj) return;
    if (w.touched_n == kMaxTouched)
      w.touched_n = -1;
    else
      w.touched[w.touched_n++] = obj;
  }

  void block(Site site, const void *obj, WaitFor w) override {
    if (opts->free_running) {
      while (!ready(w)) sched_yield();
      return;
    }
    Worker *self = &workers[running];
    const Anchor at{self->index, site, ++self->passes[static_cast<int>(site)]};
    if (opts->trace)
      event(TraceEvent::block, self->index, site, describe(obj), at.nth, obj);
    self->blocked = true, self->wait = w, self->wait_site = site;
    note_position(self, site, obj);
    while (!ready(w)) {
      int next = pick(self->index);
      if (!next) report_deadlock();
      if (opts->chooser) next = ask(Choice::blocked, next, self->index);
      switch_to(self, next, Decision{at, next, Reason::blocked});
    }
    self->blocked = false;
    if (opts->trace) event(TraceEvent::unblock, self->index, site, "");
  }

  [[noreturn]] void report_deadlock() {
    std::string object, message = "every thread is blocked:";
    for (int i = 1; i <= n; ++i) {
      const Worker &w = workers[i];
      if (w.done || !w.blocked) continue;
      std::string site(site_name(w.wait_site));
      object += (object.empty() ? "" : "+") + site;
      message += " T" + std::to_string(i) + " in " + site + ";";
    }
    report_finding(FindingKind::deadlock, object.empty() ? "threads" : object,
                   "executor", message);
    // A test's handler returned: this run cannot go on. Abandon it.
    for (;;) handoff->pass(running, 0);
  }

  void free_point(Site site) {
    // Free-running: a switch decision becomes a yield of the CPU.
    uint64_t k = result_points.fetch_add(1, std::memory_order_relaxed) + 1;
    for (const StepSwitch &s : prog->step_switches)
      if (s.point == k) sched_yield();
    (void)site;
  }
  std::atomic<uint64_t> result_points{0};

  const RunResult &run(const Program &p, const RunOptions &o) {
    // Every buffer a worker writes is allocated before the run (once, and
    // kept: see Impl()): a reallocation on one worker of memory another
    // worker allocated would be a race in TSan's eyes (malloc and memmove
    // are intercepted), and an honest one, since only the invisible token
    // orders them.
    RunResult &r = out;
    r.points = r.switches = r.hash = 0;
    r.results.assign(p.ops.size(), 0);
    r.pairs.clear();
    r.schedule.decisions.clear();
    r.schedule.steps.clear();
    r.trace.clear();
    if (o.record_steps) r.schedule.steps.reserve(kMaxSteps);
    if (o.trace && !o.free_running) r.trace.reserve(kMaxTraceEvents);
    if (o.live_trace) *o.live_trace = &r.trace;
    World w(world_options(p, o.bug));
    prog = &p, opts = &o, world = &w, result = &r, n = p.threads;
    next_switch = 0, last_thread = 0, last_obj = nullptr;
    result_points = 0;
    // Most runs take 15 to 60 schedule points: the policy's change points
    // fall in 1..63.
    policy = p.policy;
    lowest_priority = 0, conflicts = 0;
    std::fill(&anchored[0][0], &anchored[0][0] + sizeof anchored, false);
    for (const Switch &s : p.switches)
      anchored[s.at.thread][static_cast<int>(s.at.site)] = true;
    int prio[kMaxThreads + 1];
    initial_priorities(p.policy.priorities, n, prio);
    for (int i = 1; i <= n; ++i) {
      Worker &wk = workers[i];
      wk.task = w.spawn_task(p.privileged & (1u << i));
      wk.ops.clear();
      wk.done = false, wk.blocked = false;
      wk.op = -1, wk.last = Anchor{i, Site{}, 0};
      std::fill(std::begin(wk.passes), std::end(wk.passes), 0);
      wk.priority = prio[i];
      wk.pos = ThreadView{}, wk.touched_n = 0;
    }
    for (size_t i = 0; i < p.ops.size(); ++i)
      workers[p.ops[i].thread].ops.push_back(i);

    install_scheduler(this);
    tsan_release(&run_start_sync);
    task_struct *const caller_task = current;
    TaskLocal *const caller_local = sched_internal::task_local;
    if (o.free_running) {
      free_running_left = n;
      KeepLowestStack keep;  // around what the workers run, nothing else
      for (int i = 1; i <= n; ++i) handoff->post(i);
      handoff->wait(0);
    } else {
      running = 0;
      int first = pick(0);
      if (o.chooser) first = ask(Choice::start, first, 0);
      running = first;
      KeepLowestStack keep;
      handoff->pass(0, first);
    }
    current = caller_task;
    sched_internal::task_local = caller_local;
    tsan_acquire(&run_end_sync);
    install_scheduler(nullptr);
    if (o.free_running) r.points = result_points;
    w.teardown();
    return r;
  }
};

int execute_op(const Op &op) {
  std::vector<std::string> lines;
  std::string host;
  auto name = [&op] {
    return std::string(1, name_arg_letter(op.kind)) + std::to_string(op.arg);
  };
  switch (op.kind) {
    case OpKind::clone: return sys_clone(op.arg);
    case OpKind::unshare: return sys_unshare(op.arg);
    case OpKind::daemonize: return daemonize();
    case OpKind::exit: return do_exit_namespaces();
    case OpKind::mounts_open: return mounts_open(op.arg, &lines);
    case OpKind::mountstats_open: return mountstats_open(op.arg, &lines);
    case OpKind::gethostname: return gethostname_of(op.arg, &host);
    case OpKind::sethostname: return sys_sethostname(name());
    case OpKind::mount: return sys_mount(name());
    case OpKind::umount: return sys_umount(name());
    case OpKind::setns: return sys_setns(op.arg);
  }
  return -EINVAL;
}

void run_in_program_order(const Program &p, Bug bug) {
  World w(world_options(p, bug));
  task_struct *tasks[kMaxThreads + 1] = {};
  for (int t = 1; t <= p.threads; ++t)
    tasks[t] = w.spawn_task(p.privileged & (1u << t));
  task_struct *const caller = current;
  for (const Op &op : p.ops) {
    current = tasks[op.thread];
    execute_op(op);
  }
  current = caller;
  w.teardown();
}

bool dependent(const ThreadView &a, const ThreadView &b) {
  auto wild = [](const ThreadView &v) {
    return !v.started || !v.obj || !v.prev_obj;
  };
  return wild(a) || wild(b) || a.obj == b.obj || a.obj == b.prev_obj ||
         a.prev_obj == b.obj || a.prev_obj == b.prev_obj;
}

void initial_priorities(uint8_t seed, int n, int prio[kMaxThreads + 1]) {
  // All above any priority a PCT change point lowers (those are <= 0).
  uint64_t s = seed;
  for (int i = 1; i <= n; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    prio[i] = static_cast<int>((s >> 33) % 1000) * 8 + (kMaxThreads - i);
  }
}

Executor::Executor(Backend b) : impl_(std::make_unique<Impl>(b)) {}
Executor::~Executor() = default;

const RunResult &Executor::run(const Program &p, const RunOptions &opts) {
  if (opts.free_running && !impl_->handoff->concurrent()) {
    if (!threads_) threads_ = std::make_unique<Impl>(Backend::threads);
    return threads_->run(p, opts);
  }
  return impl_->run(p, opts);
}

Backend Executor::backend() const {
  return impl_->backend;
}

std::string format_event(const TraceEvent &e) {
  std::string t = "T" + std::to_string(e.thread);
  switch (e.kind) {
    case TraceEvent::op_begin: return t + ": " + e.what + "\n";
    case TraceEvent::op_end: return t + ":   = " + e.what + "\n";
    case TraceEvent::point:
      return t + ":     " + std::string(site_name(e.site)) + "#" +
             std::to_string(e.nth) + (e.what == "-" ? "" : " " + e.what) + "\n";
    case TraceEvent::switch_to:
      return "   --- " + print_decision(e.decision) + " ---\n";
    case TraceEvent::block:
      return t + ":     BLOCKED in " + std::string(site_name(e.site)) + "#" +
             std::to_string(e.nth) + " " + e.what + "\n";
    case TraceEvent::unblock: return t + ":     unblocked\n";
  }
  return "";
}

std::string format_trace(const std::vector<TraceEvent> &trace) {
  std::string out;
  for (const TraceEvent &e : trace) out += format_event(e);
  return out;
}

}  // namespace nsfuzz
