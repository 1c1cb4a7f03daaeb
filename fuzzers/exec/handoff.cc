// Baton over the futex syscall (not pthread, which TSan would intercept),
// and the two Handoff backends.
#include "fuzzers/exec/handoff.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "fuzzers/exec/fiber.h"

// TSan's runtime, when linked; weak so that other builds need none.
extern "C" void __tsan_acquire(void *addr) __attribute__((weak));
extern "C" void __tsan_release(void *addr) __attribute__((weak));
extern "C" void __tsan_ignore_thread_begin() __attribute__((weak));
extern "C" void __tsan_ignore_thread_end() __attribute__((weak));
extern "C" void AnnotateIgnoreSyncBegin(const char *f, int l)
    __attribute__((weak));
extern "C" void AnnotateIgnoreSyncEnd(const char *f, int l)
    __attribute__((weak));

namespace nsfuzz {

void baton_wait(Baton *b) {
  for (;;) {
    // Acquire pairs with baton_post's release: the executor's own state is
    // handed over with the token (TSan does not see this, by design).
    if (b->word.exchange(0, std::memory_order_acquire) != 0) return;
    syscall(SYS_futex, &b->word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
  }
}

void baton_post(Baton *b) {
  b->word.store(1, std::memory_order_release);
  syscall(SYS_futex, &b->word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

Backend default_backend() {
  static const Backend b = [] {
    const char *v = std::getenv("NSFUZZ_BACKEND");
    if (v && std::strcmp(v, "threads") == 0) return Backend::threads;
    if (v && std::strcmp(v, "fibers") != 0) {
      std::fprintf(stderr,
                   "nsfuzz: NSFUZZ_BACKEND=%s: not 'threads' or 'fibers'\n", v);
      std::exit(2);
    }
    return fibers_available() ? Backend::fibers : Backend::threads;
  }();
  return b;
}

const char *backend_name(Backend b) {
  return b == Backend::threads ? "threads" : "fibers";
}

namespace {

// Each worker a thread, each seat a baton: a pass is a futex wake and wait.
class ThreadHandoff final : public Handoff {
 public:
  ThreadHandoff(int n, Body body, void *ctx)
      : body_(body), ctx_(ctx), batons_(n + 1), threads_(n + 1) {}
  void start(int i) override {
    threads_[i] = std::thread([this, i] {
      body_(ctx_, i);
      baton_post(&batons_[0]);
    });
    baton_wait(&batons_[0]);
  }
  void pass(int from, int to) override {
    baton_post(&batons_[to]);
    baton_wait(&batons_[from]);
  }
  void stop(int i) override { threads_[i].join(); }
  bool concurrent() const override { return true; }
  void post(int seat) override { baton_post(&batons_[seat]); }
  void wait(int seat) override { baton_wait(&batons_[seat]); }

 private:
  Body body_;
  void *ctx_;
  std::vector<Baton> batons_;
  std::vector<std::thread> threads_;
};

// Each worker a fiber on the caller's thread: a pass is a register switch.
class FiberHandoff final : public Handoff {
 public:
  FiberHandoff(int n, Body body, void *ctx)
      : body_(body), ctx_(ctx), seats_(n + 1), fibers_(n + 1) {}
  void start(int i) override {
    seats_[i] = {this, i};
    fibers_[i] = std::make_unique<Fiber>(&entry, &seats_[i]);
    caller_.switch_to(*fibers_[i], true);
  }
  void pass(int from, int to) override {
    fiber(from).switch_to(fiber(to), from == 0 || to == 0);
  }
  void stop(int i) override { fibers_[i].reset(); }
  bool concurrent() const override { return false; }
  void post(int) override { no_concurrency(); }
  void wait(int) override { no_concurrency(); }

 private:
  struct Seat {
    FiberHandoff *h;
    int i;
  };
  static void entry(void *arg) {
    const Seat *s = static_cast<const Seat *>(arg);
    s->h->body_(s->h->ctx_, s->i);
    s->h->fibers_[s->i]->exit_to(s->h->caller_, true);
  }
  Fiber &fiber(int seat) { return seat == 0 ? caller_ : *fibers_[seat]; }
  [[noreturn]] static void no_concurrency() {
    std::fprintf(stderr, "nsfuzz: free running needs the thread backend\n");
    std::abort();
  }

  Body body_;
  void *ctx_;
  Fiber caller_;
  std::vector<Seat> seats_;
  std::vector<std::unique_ptr<Fiber>> fibers_;
};

}  // namespace

std::unique_ptr<Handoff> Handoff::make(Backend b, int n, Body body, void *ctx) {
  if (b == Backend::fibers) return std::make_unique<FiberHandoff>(n, body, ctx);
  return std::make_unique<ThreadHandoff>(n, body, ctx);
}

void raw_write(int fd, const char *data, size_t size) {
  while (size > 0) {
    long n = syscall(SYS_write, fd, data, size);
    if (n <= 0) return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void tsan_release(void *addr) {
  if (__tsan_release) __tsan_release(addr);
}
void tsan_acquire(void *addr) {
  if (__tsan_acquire) __tsan_acquire(addr);
}

// Accesses (ThreadIgnoreBegin) and synchronization (ThreadIgnoreSyncBegin)
// are two separate switches in TSan's runtime: an acquire load inside a
// predicate would otherwise still add a happens-before edge.
TsanBlind::TsanBlind() {
  if (__tsan_ignore_thread_begin) {
    __tsan_ignore_thread_begin();
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  }
}
TsanBlind::~TsanBlind() {
  if (__tsan_ignore_thread_end) {
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    __tsan_ignore_thread_end();
  }
}

}  // namespace nsfuzz
