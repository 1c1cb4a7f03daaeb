// The sweep's workers, checkpoint and verdict (see sweep.h).
#include "fuzzers/verify/sweep.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "fuzzers/exec/executor.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/triage/temp_files.h"

namespace nsfuzz {

namespace {

// A Program for a worker, and what the worker found of it: fixed sizes, so
// that each is one write of less than PIPE_BUF (never interleaved).
struct Request {
  uint64_t index = 0;
  uint32_t len = 0;
  uint8_t bytes[kHeaderSize + 2 * kMaxOps] = {};
};
struct Reply {
  uint64_t index = 0, schedules = 0;
  uint32_t complete = 0;
};
static_assert(sizeof(Request) < PIPE_BUF && sizeof(Reply) < PIPE_BUF);

bool read_full(int fd, void *buf, size_t n) {
  auto *p = static_cast<char *>(buf);
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r, n -= static_cast<size_t>(r);
  }
  return true;
}
bool write_full(int fd, const void *buf, size_t n) {
  ssize_t r;
  do r = write(fd, buf, n);
  while (r < 0 && errno == EINTR);
  return r == static_cast<ssize_t>(n);
}

// A worker: explores the Programs it is sent until its input ends. A
// finding ends it; so does the parent's death.
[[noreturn]] void work(int in, int out, pid_t parent, const SweepOptions &o) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  signal(SIGINT, SIG_IGN);  // the parent stops the sweep, and then us
  signal(SIGTERM, SIG_IGN);
  int null = open("/dev/null", O_WRONLY);
  if (null < 0) _exit(127);
  dup2(null, 1), dup2(null, 2);  // explore() tells the finding again
  Executor e;
  ExploreOptions eo;
  eo.preemptions = o.preemptions;
  eo.bug = o.bug;
  Request rq;
  while (read_full(in, &rq, sizeof rq)) {
    ExploreStats st = explore_here(e, decode(rq.bytes, rq.len), eo);
    Reply rp{rq.index, st.schedules, st.complete};
    if (!write_full(out, &rp, sizeof rp)) _exit(127);
  }
  _exit(0);
}

struct Worker {
  pid_t pid = -1;
  int to = -1, from = -1;
  bool busy = false;
  uint64_t index = 0;  // while busy
};

volatile sig_atomic_t g_interrupted = 0;
void on_signal(int) {
  g_interrupted = 1;
}

// What a checkpoint must match to be this sweep's.
nlohmann::json sweep_key(const SweepOptions &o) {
  return {{"protocol", protocol_name(o.scope.protocol)},
          {"threads", o.scope.threads},
          {"ops", o.scope.ops},
          {"faults", o.scope.faults},
          {"limits", print_limits(o.scope.limits)},
          {"bound", o.preemptions},
          {"bug", bug_name(o.bug)},
          {"shard", o.shard},
          {"shards", o.shards}};
}

class Sweep {
 public:
  Sweep(const SweepOptions &o,
        const std::function<void(const SweepProgress &)> &progress)
      : o_(o), progress_(progress) {}

  SweepResult run() {
    r_.size = scope_size(o_.scope);
    uint64_t reps = r_.size.representatives;
    r_.total = reps > static_cast<uint64_t>(o_.shard)
                   ? (reps - o_.shard + o_.shards - 1) / o_.shards
                   : 0;
    if (!load_checkpoint()) return r_;
    struct sigaction sa = {}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    g_interrupted = 0;
    for (int j = 0; j < o_.jobs && r_.error.empty(); ++j) start_worker();
    uint64_t k = 0;
    if (r_.error.empty())
      for_each_program(o_.scope, [&](const Program &p, bool rep) {
        if (!rep) return true;
        uint64_t index = k++;
        next_ = index;
        if (index % o_.shards != static_cast<uint64_t>(o_.shard) ||
            index < below_)
          return true;
        Worker *w = idle_worker();
        if (!w) return false;
        Request rq;
        rq.index = index;
        std::vector<uint8_t> bytes = encode(p);
        rq.len = static_cast<uint32_t>(bytes.size());
        std::memcpy(rq.bytes, bytes.data(), bytes.size());
        if (!write_full(w->to, &rq, sizeof rq)) {
          fail("cannot send a Program to a worker: " + errno_text());
          return false;
        }
        w->busy = true, w->index = index;
        outstanding_.insert(index);
        programs_[index] = p;
        next_ = index + 1;
        return true;
      });
    if (!stopping()) next_ = UINT64_MAX;
    drain();
    for (Worker &w : workers_) stop_worker(w);
    report(true);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    if (r_.interrupted) {
      save_checkpoint();
      return r_;
    }
    if (!r_.error.empty()) return r_;
    if (died_) {
      forget_after(died_at_);
      explain_finding();
    }
    if (!o_.state.empty()) unlink(o_.state.c_str());
    return r_;
  }

 private:
  static std::string errno_text() { return std::strerror(errno); }
  void fail(const std::string &why) {
    if (r_.error.empty()) r_.error = why;
  }
  bool stopping() const { return g_interrupted || died_ || !r_.error.empty(); }

  void start_worker() {
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0) return fail("pipe: " + errno_text());
    if (pipe2(from, O_CLOEXEC) != 0) {
      close(to[0]), close(to[1]);
      return fail("pipe: " + errno_text());
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
      for (int fd : {to[0], to[1], from[0], from[1]}) close(fd);
      return fail("fork: " + errno_text());
    }
    if (pid == 0) {
      close(to[1]), close(from[0]);
      for (const Worker &w : workers_) close(w.to), close(w.from);
      work(to[0], from[1], parent, o_);
    }
    close(to[0]), close(from[1]);
    workers_.push_back({pid, to[1], from[0]});
  }

  void stop_worker(Worker &w) {
    if (w.pid < 0) return;
    close(w.to), close(w.from);
    kill(w.pid, SIGKILL);
    waitpid(w.pid, nullptr, 0);
    w.pid = -1, w.busy = false;
  }

  // An idle worker, waiting for one if all are busy; nullptr: stop.
  Worker *idle_worker() {
    for (;;) {
      if (stopping()) return nullptr;
      for (Worker &w : workers_)
        if (w.pid >= 0 && !w.busy) return &w;
      wait_once();
    }
  }

  // The Programs sent before a finding (or all, at the end) come back.
  void drain() {
    for (;;) {
      if (g_interrupted || !r_.error.empty()) {
        r_.interrupted = g_interrupted && r_.error.empty();
        return;
      }
      bool waiting = false;
      for (const Worker &w : workers_)
        waiting |= w.busy && (!died_ || w.index < died_at_);
      if (!waiting) return;
      wait_once();
    }
  }

  void wait_once() {
    std::vector<pollfd> fds;
    for (const Worker &w : workers_)
      if (w.busy) fds.push_back({w.from, POLLIN, 0});
    int n = poll(fds.data(), fds.size(), 1000);
    if (n < 0 && errno != EINTR) return fail("poll: " + errno_text());
    for (const pollfd &f : fds)
      if (f.revents)
        for (Worker &w : workers_)
          if (w.from == f.fd) read_reply(w);
  }

  void read_reply(Worker &w) {
    Reply rp;
    if (!read_full(w.from, &rp, sizeof rp)) {  // it died on w.index
      int status = 0;
      close(w.to), close(w.from);
      waitpid(w.pid, &status, 0);
      w.pid = -1, w.busy = false;
      outstanding_.erase(w.index);
      if (!died_ || w.index < died_at_) died_at_ = w.index;
      died_ = true;
      return;
    }
    if (rp.index != w.index) return fail("a worker answered out of turn");
    w.busy = false;
    outstanding_.erase(rp.index);
    programs_.erase(rp.index);
    ++r_.done;
    r_.schedules += rp.schedules;
    r_.incomplete += !rp.complete;
    recent_[rp.index] = {rp.schedules, !rp.complete};
    report(false);
  }

  // The figures of the Programs before `index` only: those after it that
  // a worker finished before the finding are not the sweep's (--jobs).
  void forget_after(uint64_t index) {
    for (const auto &[i, d] : recent_)
      if (i > index)
        --r_.done, r_.schedules -= d.schedules, r_.incomplete -= d.incomplete;
  }

  // The index below which every Program of the shard is done.
  uint64_t watermark() const {
    uint64_t w = outstanding_.empty() ? next_ : *outstanding_.begin();
    return died_ ? std::min(w, died_at_) : w;
  }

  // After each Program's answer and at the end: the caller's progress (it
  // decides how often to show it), and every 5 s the checkpoint.
  void report(bool last) {
    if (progress_) progress_({r_.done, r_.total, r_.schedules, r_.resumed});
    using Clock = std::chrono::steady_clock;  // for the person, not the verdict
    Clock::time_point now = Clock::now();
    if (last || now - last_save_ < std::chrono::seconds(5)) return;
    last_save_ = now;
    recent_.erase(recent_.begin(), recent_.lower_bound(watermark()));
    save_checkpoint();
  }

  bool load_checkpoint() {
    if (o_.state.empty()) return true;
    std::ifstream in(o_.state);
    if (!in) return true;  // a first run
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("sweep") || !j.contains("below")) {
      fail(o_.state + ": not a sweep checkpoint; remove it");
      return false;
    }
    if (j["sweep"] != sweep_key(o_)) {
      fail(o_.state + ": the checkpoint of another sweep (" +
           j["sweep"].dump() + "); remove it or name another");
      return false;
    }
    below_ = j["below"].get<uint64_t>();
    r_.done = r_.resumed = j["done"].get<uint64_t>();
    r_.schedules = j["schedules"].get<uint64_t>();
    r_.incomplete = j["incomplete"].get<uint64_t>();
    return true;
  }

  // Only what is below the watermark: the rest runs again on resuming.
  void save_checkpoint() {
    if (o_.state.empty()) return;
    uint64_t below = std::max(watermark(), below_);
    SweepResult r = r_;
    for (auto it = recent_.lower_bound(below); it != recent_.end(); ++it)
      --r.done, r.schedules -= it->second.schedules,
          r.incomplete -= it->second.incomplete;
    nlohmann::json j = {{"sweep", sweep_key(o_)},
                        {"below", below},
                        {"done", r.done},
                        {"schedules", r.schedules},
                        {"incomplete", r.incomplete}};
    std::string text = j.dump(1) + "\n";
    std::string err = write_file_atomic(
        o_.state, std::vector<uint8_t>(text.begin(), text.end()));
    if (!err.empty()) fail(err);
  }

  // The first finding: explored again, alone, for its schedule and report.
  void explain_finding() {
    r_.finding = true;
    r_.finding_index = died_at_;
    r_.finding_program = programs_[died_at_];
    ExploreOptions eo;
    eo.preemptions = o_.preemptions;
    eo.bug = o_.bug;
    r_.explored = explore(r_.finding_program, eo);
    if (!r_.explored.error.empty())
      fail(r_.explored.error);
    else if (!r_.explored.finding)
      fail("a worker died exploring Program #" + std::to_string(died_at_) +
           ", and exploring it again found nothing");
  }

  const SweepOptions &o_;
  const std::function<void(const SweepProgress &)> &progress_;
  SweepResult r_;
  std::vector<Worker> workers_;
  std::set<uint64_t> outstanding_;
  std::map<uint64_t, Program> programs_;  // the outstanding ones
  struct Done {
    uint64_t schedules;
    bool incomplete;
  };
  std::map<uint64_t, Done> recent_;  // done, maybe above the watermark
  uint64_t below_ = 0, next_ = 0;
  bool died_ = false;
  uint64_t died_at_ = 0;
  std::chrono::steady_clock::time_point last_save_{};
};

}  // namespace

SweepResult sweep(const SweepOptions &o,
                  const std::function<void(const SweepProgress &)> &progress) {
  return Sweep(o, progress).run();
}

}  // namespace nsfuzz
