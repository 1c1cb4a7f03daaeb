// RCU for the model: the kernel's API names over liburcu (urcu-memb flavor).
//
// Memory-ordering guarantees, and how TSan is told about them (liburcu 0.13
// has no TSan annotations, and is not built with TSan):
//  - rcu_assign_pointer(p, v) is a store-release: everything the writer did
//    to *v before happens-before any reader that loads v.
//  - rcu_dereference(p) is a load-acquire (stronger than the kernel's
//    consume, which compilers implement as acquire anyway).
//    Both are __atomic builtins on a plain pointer field, as the kernel's
//    READ_ONCE/WRITE_ONCE are, so TSan sees them directly, and still flags
//    a plain access to the same field racing with them.
//  - synchronize_rcu() returns only after every read-side critical section
//    that began before it has ended, and each such rcu_read_unlock()
//    happens-before its return: the reader's last use of an object happens
//    before the writer frees it. TSan is told with __tsan_release on unlock
//    and __tsan_acquire after the grace period, on one sync object.
//
// Readers are also tracked here (relaxed atomics: no happens-before edges)
// so that the deterministic executor knows when a grace period must wait:
// synchronize_rcu() blocks through the scheduler until every reader that was
// inside at its start has left, and until no reader is inside at all, since
// liburcu's own wait would otherwise spin on a reader the executor has
// parked. Correct code never lets a reader wait on the writer, so the
// stronger wait adds no deadlock to it.
#ifndef NSFUZZ_CORE_RCU_H_
#define NSFUZZ_CORE_RCU_H_

namespace nsfuzz {

// Every task that uses RCU registers once (liburcu's rule, per task: each
// gets its own reader slot, and its OS thread is registered with liburcu
// while any task on it is); a reader that did not is registered by its
// first rcu_read_lock().
void rcu_register_thread();
void rcu_unregister_thread();

void rcu_read_lock();
void rcu_read_unlock();
// Whether the calling thread is inside a read-side critical section.
bool rcu_read_lock_held();

void synchronize_rcu();

template <typename T>
T *rcu_dereference(T *const &p) {
  return __atomic_load_n(&p, __ATOMIC_ACQUIRE);
}

template <typename T>
void rcu_assign_pointer(T *&p, T *v) {
  __atomic_store_n(&p, v, __ATOMIC_RELEASE);
}

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_RCU_H_
