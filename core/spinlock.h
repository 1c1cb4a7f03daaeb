// spinlock_t: the kernel's spinning lock, visible to the scheduler.
//
// Acquire/release atomics give the lock's happens-before edges (TSan sees
// them, as it should: the lock is part of the protocol under test). A thread
// that finds it held blocks through sched_block(), so the deterministic
// executor never runs a thread that would spin, and reports a deadlock when
// all are blocked. Taking a lock one already holds is reported at once.
#ifndef NSFUZZ_CORE_SPINLOCK_H_
#define NSFUZZ_CORE_SPINLOCK_H_

#include <atomic>

#include "core/sched.h"

namespace nsfuzz {

struct spinlock_t {
  std::atomic<bool> locked{false};
  // Who holds it, for reporting a recursive acquisition (relaxed: a hint).
  std::atomic<const void *> owner{nullptr};
};

// `who` identifies the caller (its task); `obj` names what the lock guards
// in traces; the two sites say which kind of lock it is.
void spin_lock(spinlock_t *l, const void *who, const void *obj, Site site,
               Site contended_site, const char *lock_name);
void spin_unlock(spinlock_t *l, const void *obj, Site unlocked_site);

// Spinlocks the calling thread holds: synchronize_rcu() must find zero
// (might_sleep()).
int spinlocks_held();

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_SPINLOCK_H_
