// Handoff: passes the executor's token between seats, on threads (futex
// batons) or on fibers, invisible to TSan and to coverage (handoff.cc,
// fiber.cc and executor.cc are built uninstrumented).
#ifndef NSFUZZ_FUZZERS_EXEC_HANDOFF_H_
#define NSFUZZ_FUZZERS_EXEC_HANDOFF_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace nsfuzz {

// One per waiting thread (each worker its own word: a post wakes exactly
// the thread it is meant for). Not copyable; lives as long as its thread.
struct Baton {
  std::atomic<uint32_t> word{0};
};

// Blocks until the baton is posted, then consumes the post.
void baton_wait(Baton *b);
void baton_post(Baton *b);

// How the executor runs its tasks: each on a worker thread of its own
// (the reference), or each on a fiber on the caller's thread (no system
// call per switch).
enum class Backend : uint8_t { threads, fibers };

// The default: fibers where available, unless NSFUZZ_BACKEND=threads.
Backend default_backend();
const char *backend_name(Backend b);

// Seats for the token: 0 is the caller of the executor, 1..n are workers,
// each running body(ctx, i) until it returns. Exactly one seat runs at a
// time, and only pass() moves the token. A pass to or from seat 0 orders
// everything before it before everything after it (for TSan, as a
// thread's creation and an explicit edge would); a pass between two
// workers adds no happens-before edge.
class Handoff {
 public:
  using Body = void (*)(void *ctx, int seat);
  static std::unique_ptr<Handoff> make(Backend b, int n, Body body, void *ctx);
  virtual ~Handoff() = default;

  // From seat 0: starts worker i, which runs until it passes back to 0.
  virtual void start(int i) = 0;
  // From seat `from` (the caller's) to `to`; returns when the token comes
  // back to `from`. When a worker's body returns, the token goes to 0.
  virtual void pass(int from, int to) = 0;
  // From seat 0, after worker i's body returned: frees what it ran on.
  virtual void stop(int i) = 0;

  // Real concurrency (free running; threads only): every worker 1..n goes
  // at once on post(i); a worker that ends its run passes to 0 when it is
  // the last, else waits on wait(i) for the next run.
  virtual bool concurrent() const = 0;
  virtual void post(int seat) = 0;
  virtual void wait(int seat) = 0;
};

// write(2) through the raw syscall, which no sanitizer intercepts.
void raw_write(int fd, const char *data, size_t size);

// TSan's explicit happens-before, for the run boundaries only; no-ops in
// builds without TSan.
void tsan_release(void *addr);
void tsan_acquire(void *addr);

// While one lives, TSan sees neither the calling thread's memory accesses
// nor its synchronization (a no-op in builds without TSan). The executor
// reads the core's state (wait predicates, object names) only inside one:
// those reads are ordered by the token, which TSan is not told about, so
// seen they would be false races, and their acquires would be false edges.
// It covers whatever the reads call, instrumented or not.
class TsanBlind {
 public:
  TsanBlind();
  ~TsanBlind();
  TsanBlind(const TsanBlind &) = delete;
  TsanBlind &operator=(const TsanBlind &) = delete;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXEC_HANDOFF_H_
