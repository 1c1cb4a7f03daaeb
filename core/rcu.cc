// The RCU wrapper: liburcu underneath, reader tracking and TSan on top.
#include "core/rcu.h"

#include <urcu/urcu-memb.h>

#include <atomic>
#include <cstdint>

#include "core/finding.h"
#include "core/sched.h"
#include "core/spinlock.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NSFUZZ_TSAN 1
#endif
#endif

#ifdef NSFUZZ_TSAN
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#endif

namespace nsfuzz {
namespace {

// The sync object standing for "all read-side critical sections so far".
[[maybe_unused]] char grace_period_sync;

constexpr int kMaxReaders = 64;
struct ReaderSlot {
  std::atomic<int> nesting{0};
  std::atomic<uint64_t> exits{0};  // outermost unlocks so far
  std::atomic<bool> used{false};
};
ReaderSlot readers[kMaxReaders];
// Tasks on this OS thread that hold a reader slot: the thread is
// registered with liburcu while there is one (fibers share a registration;
// the model's reader slots tell their read-side sections apart).
thread_local int thread_readers = 0;

int &my_slot() {
  return task_local().rcu_slot;
}

// What a waiting synchronize_rcu() needs: the readers inside at its start.
struct GraceWait {
  int self;
  uint64_t exits_at_start[kMaxReaders];
  bool was_inside[kMaxReaders];
};

bool grace_period_over(const void *arg) {
  const auto *w = static_cast<const GraceWait *>(arg);
  for (int i = 0; i < kMaxReaders; ++i) {
    if (i == w->self) continue;
    int nesting = readers[i].nesting.load(std::memory_order_relaxed);
    if (nesting > 0) return false;  // see the header: liburcu would wait too
    if (w->was_inside[i] && readers[i].exits.load(std::memory_order_relaxed) ==
                                w->exits_at_start[i])
      return false;
  }
  return true;
}

}  // namespace

void rcu_register_thread() {
  int &slot = my_slot();
  if (slot >= 0) return;
  for (int i = 0; i < kMaxReaders; ++i) {
    bool expected = false;
    if (readers[i].used.compare_exchange_strong(expected, true,
                                                std::memory_order_relaxed)) {
      slot = i;
      break;
    }
  }
  if (slot < 0)
    report_finding(FindingKind::deadlock, "rcu", "rcu_register_thread",
                   "more than 64 RCU threads registered");
  if (thread_readers++ == 0) urcu_memb_register_thread();
}

void rcu_unregister_thread() {
  int &slot = my_slot();
  if (slot < 0) return;
  if (--thread_readers == 0) urcu_memb_unregister_thread();
  readers[slot].nesting.store(0, std::memory_order_relaxed);
  readers[slot].used.store(false, std::memory_order_relaxed);
  slot = -1;
}

bool rcu_read_lock_held() {
  int slot = my_slot();
  return slot >= 0 && readers[slot].nesting.load(std::memory_order_relaxed) > 0;
}

void rcu_read_lock() {
  int &slot = my_slot();  // the task's own: register fills it in
  if (__builtin_expect(slot < 0, 0)) rcu_register_thread();
  urcu_memb_read_lock();
  readers[slot].nesting.fetch_add(1, std::memory_order_relaxed);
  sched_point(Site::rcu_read_lock);
}

void rcu_read_unlock() {
  sched_point(Site::rcu_read_unlock);
#ifdef NSFUZZ_TSAN
  __tsan_release(&grace_period_sync);
#endif
  ReaderSlot &r = readers[my_slot()];
  if (r.nesting.fetch_sub(1, std::memory_order_relaxed) == 1)
    r.exits.fetch_add(1, std::memory_order_release);  // see synchronize_rcu
  urcu_memb_read_unlock();
  sched_point(Site::rcu_read_unlocked);
}

void synchronize_rcu() {
  if (rcu_read_lock_held()) {
    report_finding(FindingKind::deadlock, "rcu", "synchronize_rcu",
                   "synchronize_rcu() inside an RCU read-side critical "
                   "section: the grace period waits for its own caller");
    return;  // Only a test's handler returns.
  }
  if (spinlocks_held() > 0) {
    report_finding(FindingKind::sleep_in_atomic, "rcu", "synchronize_rcu",
                   "synchronize_rcu() called with a spinlock held "
                   "(might_sleep): it can deadlock with a reader spinning "
                   "on that lock");
    return;
  }
  sched_point(Site::synchronize_rcu);
  if (sched_internal::installed) {
    GraceWait w;
    w.self = my_slot();
    bool any = false;
    for (int i = 0; i < kMaxReaders; ++i) {
      // Exits first, then nesting (free-running runs are really concurrent):
      // read the other way round, a reader leaving between the two loads
      // looked inside with its exit already counted, and we waited for an
      // exit that never came. This way, an old exit count means it is still
      // inside (its exit will come) or has left (nesting shows 0); a new one
      // (acquire, pairing with the release in rcu_read_unlock) means its
      // nesting decrement is visible too, so at most a newer section is seen,
      // whose exit also comes.
      w.exits_at_start[i] = readers[i].exits.load(std::memory_order_acquire);
      w.was_inside[i] =
          i != w.self && readers[i].nesting.load(std::memory_order_relaxed) > 0;
      any |= w.was_inside[i];
    }
    if (any)
      sched_block(Site::synchronize_rcu_wait, nullptr,
                  WaitFor{grace_period_over, &w});
  }
  urcu_memb_synchronize_rcu();
#ifdef NSFUZZ_TSAN
  __tsan_acquire(&grace_period_sync);
#endif
}

}  // namespace nsfuzz
