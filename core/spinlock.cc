// spin_lock/spin_unlock over the scheduler's blocking.
#include "core/spinlock.h"

#include <string>

#include "core/finding.h"

namespace nsfuzz {
namespace {

bool lock_free(const void *arg) {
  return !static_cast<const spinlock_t *>(arg)->locked.load(
      std::memory_order_relaxed);
}

}  // namespace

int spinlocks_held() {
  return task_local().spinlocks_held;
}

void spin_lock(spinlock_t *l, const void *who, const void *obj, Site site,
               Site contended_site, const char *lock_name) {
  sched_point(site, obj);
  if (l->owner.load(std::memory_order_relaxed) == who && who != nullptr) {
    report_finding(FindingKind::deadlock, lock_name, "spin_lock",
                   std::string("recursive ") + lock_name +
                       ": the caller already holds it and would spin forever");
    return;  // Only a test's handler returns; never spin on oneself.
  }
  for (;;) {
    bool expected = false;
    if (l->locked.compare_exchange_strong(expected, true,
                                          std::memory_order_acquire,
                                          std::memory_order_relaxed))
      break;
    sched_block(contended_site, obj, WaitFor{lock_free, l});
  }
  l->owner.store(who, std::memory_order_relaxed);
  ++task_local().spinlocks_held;
}

void spin_unlock(spinlock_t *l, const void *obj, Site unlocked_site) {
  --task_local().spinlocks_held;
  l->owner.store(nullptr, std::memory_order_relaxed);
  l->locked.store(false, std::memory_order_release);
  sched_point(unlocked_site, obj);
}

}  // namespace nsfuzz
