// task_struct: a task, its task_lock, and its nsproxy pointer.
//
// The nsproxy access rules (include/linux/nsproxy.h, 2007):
//  1. only the task itself changes tsk->nsproxy;
//  2. the task reads its own namespaces with no precautions;
//  3. another task reads them under the protocol's rule: task_lock(tsk)
//     (task_lock_2007, task_lock_2014) or rcu_read_lock() + task_nsproxy()
//     (rcu_2007); a NULL nsproxy means the task is almost dead.
#ifndef NSFUZZ_CORE_TASK_H_
#define NSFUZZ_CORE_TASK_H_

#include "core/spinlock.h"

namespace nsfuzz {

class World;
struct nsproxy;

struct task_struct {
  int pid = 0;  // also its index in the world: 0 is init
  World *world = nullptr;
  bool privileged = false;  // capable(CAP_SYS_ADMIN)
  spinlock_t alloc_lock;    // task_lock()
  // Written only by the task itself (rule 1): under task_lock in the
  // task_lock protocols, with rcu_assign_pointer in rcu_2007.
  struct nsproxy *nsproxy = nullptr;
};

// The task the calling thread runs as (the kernel's `current`).
extern thread_local task_struct *current;

void task_lock(task_struct *tsk);
void task_unlock(task_struct *tsk);
inline bool capable_sys_admin(const task_struct *tsk) {
  return tsk->privileged;
}

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_TASK_H_
