// The nsproxy protocols: task_lock_2007, rcu_2007 and task_lock_2014.
//
// Each function follows the kernel code of its protocol line by line; the
// injected bugs of core/bugs.def are the `w->bug_active(Bug::...)` branches.
#include "core/nsproxy.h"

#include <cerrno>
#include <cstdio>
#include <string>

#include "core/drift.h"
#include "core/finding.h"
#include "core/rcu.h"
#include "core/sched.h"
#include "core/uapi.h"
#include "core/world.h"

namespace nsfuzz {
namespace {

bool uses_rcu(const World *w) {
  return w->protocol() == Protocol::rcu_2007;
}

}  // namespace

void task_lock(task_struct *tsk) {
  spin_lock(&tsk->alloc_lock, current, tsk, Site::task_lock,
            Site::task_lock_contended, "task_lock");
}

void task_unlock(task_struct *tsk) {
  spin_unlock(&tsk->alloc_lock, tsk, Site::task_unlocked);
}

nsproxy *task_nsproxy(task_struct *tsk) {
  nsproxy *ns = tsk->world->bug_active(Bug::plain_nsproxy_access)
                    ? tsk->nsproxy  // BUG: a plain load racing the writer
                    : rcu_dereference(tsk->nsproxy);
  sched_point(Site::rcu_dereference, ns);
  return ns;
}

void get_nsproxy(nsproxy *ns) {
  SCHED_DRIFT_POINT(Site::drift_probe, ns);
  if (!ns->world->check_alive(ns, "get_nsproxy")) return;
  ns->count.fetch_add(1, std::memory_order_relaxed);
}

bool get_nsproxy_not_zero(nsproxy *ns) {
  if (!ns->world->check_alive(ns, "get_nsproxy")) return false;
  int c = ns->count.load(std::memory_order_relaxed);
  do {
    if (c == 0) return false;
  } while (
      !ns->count.compare_exchange_weak(c, c + 1, std::memory_order_relaxed));
  return true;
}

void free_nsproxy(nsproxy *ns) {
  sched_point(Site::free_nsproxy, ns);
  if (ns->mnt_ns) put_mnt_ns(ns->mnt_ns);
  if (ns->uts_ns) put_uts_ns(ns->uts_ns);
  if (ns->ipc_ns) put_ipc_ns(ns->ipc_ns);
  if (ns->pid_ns) put_pid_ns(ns->pid_ns);
  if (ns->net_ns) put_net(ns->net_ns);
  ns->world->free_obj(ns, "free_nsproxy");
}

// atomic_dec_and_test, reporting an underflow instead of going negative.
static bool nsproxy_dec_and_test(nsproxy *ns, const char *where) {
  if (!ns->world->check_alive(ns, where)) return false;
  int old = ns->count.fetch_sub(1, std::memory_order_acq_rel);
  if (old <= 0) {
    report_finding(FindingKind::refcount_underflow, "nsproxy", where,
                   "put on an nsproxy whose count was already zero");
    return false;
  }
  return old == 1;
}

void put_nsproxy(nsproxy *ns) {
  SCHED_DRIFT_POINT(Site::drift_probe, ns);
  if (!nsproxy_dec_and_test(ns, "put_nsproxy")) return;
  // Once published, an nsproxy may be in use by RCU readers: wait for them.
  if (uses_rcu(ns->world)) synchronize_rcu();
  free_nsproxy(ns);
}

nsproxy *create_new_namespaces(uint32_t flags, task_struct *tsk) {
  World *w = tsk->world;
  nsproxy *old = tsk->nsproxy;
  auto *n = w->alloc<nsproxy>(w);
  if (!n) return ERR_PTR<nsproxy>(-ENOMEM);
  long err;
  n->mnt_ns = copy_mnt_ns(flags, old->mnt_ns);
  if (IS_ERR(n->mnt_ns)) {
    err = PTR_ERR(n->mnt_ns);
    goto out_ns;
  }
  sched_point(Site::copy_namespaces_step, n);
  n->uts_ns = copy_utsname(flags, old->uts_ns);
  if (IS_ERR(n->uts_ns)) {
    err = PTR_ERR(n->uts_ns);
    goto out_uts;
  }
  sched_point(Site::copy_namespaces_step, n);
  n->ipc_ns = copy_ipcs(flags, old->ipc_ns);
  if (IS_ERR(n->ipc_ns)) {
    err = PTR_ERR(n->ipc_ns);
    goto out_ipc;
  }
  sched_point(Site::copy_namespaces_step, n);
  n->pid_ns = copy_pid_ns(flags, old->pid_ns);
  if (IS_ERR(n->pid_ns)) {
    err = PTR_ERR(n->pid_ns);
    goto out_pid;
  }
  sched_point(Site::copy_namespaces_step, n);
  n->net_ns = copy_net_ns(flags, old->net_ns);
  if (IS_ERR(n->net_ns)) {
    err = PTR_ERR(n->net_ns);
    goto out_net;
  }
  return n;

out_net:
  put_pid_ns(n->pid_ns);
out_pid:
  put_ipc_ns(n->ipc_ns);
out_ipc:
  put_uts_ns(n->uts_ns);
out_uts:
  // BUG leak_on_error_path: the mnt_ns reference is not dropped.
  if (!w->bug_active(Bug::leak_on_error_path)) put_mnt_ns(n->mnt_ns);
out_ns:
  w->free_obj(n, "create_new_namespaces");
  return ERR_PTR<nsproxy>(err);
}

int copy_namespaces(uint32_t flags, task_struct *tsk) {
  nsproxy *old_ns = tsk->nsproxy;  // the parent's, copied at dup_task_struct
  if (!old_ns) return 0;
  get_nsproxy(old_ns);
  if (!(flags & kCloneNewAll)) return 0;
  int err = 0;
  if (!capable_sys_admin(current)) {
    err = -EPERM;
  } else {
    nsproxy *new_ns = create_new_namespaces(flags, tsk);
    if (IS_ERR(new_ns))
      err = static_cast<int>(PTR_ERR(new_ns));
    else
      tsk->nsproxy = new_ns;  // not yet visible to anyone: no rule applies
  }
  put_nsproxy(old_ns);
  return err;
}

int unshare_nsproxy_namespaces(uint32_t flags, nsproxy **new_nsp) {
  *new_nsp = nullptr;
  if (!(flags & kCloneNewAll)) return 0;
  if (!capable_sys_admin(current)) return -EPERM;
  nsproxy *n = create_new_namespaces(flags, current);
  if (IS_ERR(n)) return static_cast<int>(PTR_ERR(n));
  *new_nsp = n;
  return 0;
}

void switch_task_namespaces(task_struct *p, nsproxy *new_ns) {
  World *w = p->world;
  nsproxy *ns = p->nsproxy;  // rule 2: our own pointer, no precautions
  if (ns == new_ns) return;
  if (new_ns) get_nsproxy(new_ns);
  sched_point(Site::switch_assign, new_ns);

  if (w->protocol() == Protocol::rcu_2007) {
    // BUG synchronize_rcu_under_task_lock: the whole switch under task_lock.
    bool locked = w->bug_active(Bug::synchronize_rcu_under_task_lock);
    if (locked) task_lock(p);
    sched_access(p);  // the store to p->nsproxy, outside task_lock
    if (w->bug_active(Bug::plain_nsproxy_access))
      p->nsproxy = new_ns;  // BUG: a plain store racing the readers
    else
      rcu_assign_pointer(p->nsproxy, new_ns);
    sched_point(Site::switch_put_old, ns);
    if (ns && nsproxy_dec_and_test(ns, "switch_task_namespaces")) {
      // Wait for readers to get what they want from this nsproxy; not
      // call_rcu(): put_mnt_ns() may sleep. BUG free_without_grace_period.
      if (!w->bug_active(Bug::free_without_grace_period)) synchronize_rcu();
      free_nsproxy(ns);
    }
    if (locked) task_unlock(p);
    return;
  }

  // task_lock_2007 (sys_unshare's swap) and task_lock_2014: the swap under
  // task_lock, the put after it; readers hold task_lock, so none can be
  // inside once the pointer is swapped.
  task_lock(p);
  p->nsproxy = new_ns;
  task_unlock(p);
  sched_point(Site::switch_put_old, ns);
  if (ns && nsproxy_dec_and_test(ns, "switch_task_namespaces"))
    free_nsproxy(ns);
}

void exit_task_namespaces(task_struct *p) {
  World *w = p->world;
  nsproxy *ns = p->nsproxy;
  sched_point(Site::exit_namespaces, ns);
  if (w->protocol() == Protocol::task_lock_2007) {
    // The pre-2007 inline exit_task_namespaces: clear under task_lock, put.
    if (ns) {
      task_lock(p);
      p->nsproxy = nullptr;
      task_unlock(p);
      put_nsproxy(ns);
    }
  } else {
    switch_task_namespaces(p, nullptr);
  }
  // BUG double_put_on_exit: the reference is dropped a second time.
  if (ns && w->bug_active(Bug::double_put_on_exit)) put_nsproxy(ns);
}

// --- Operations of a Program, run as `current`.

namespace {

// Reads another task's namespace `member` and takes a reference on it with
// `get`, under the protocol's rule 3. nullptr when the task has exited.
template <typename Ns>
Ns *get_task_ns(task_struct *task, Ns *nsproxy::*member, void (*get)(Ns *)) {
  World *w = task->world;
  Ns *ns = nullptr;
  if (w->protocol() == Protocol::rcu_2007) {
    // BUG reader_without_rcu_lock: no read-side critical section at all.
    bool lock = !w->bug_active(Bug::reader_without_rcu_lock);
    if (lock) rcu_read_lock();
    nsproxy *nsp = task_nsproxy(task);
    if (nsp && w->check_alive(nsp, "task_nsproxy")) ns = nsp->*member;
    // BUG get_after_rcu_unlock: the reference is taken after the unlock.
    bool late = w->bug_active(Bug::get_after_rcu_unlock);
    if (ns && !late) get(ns);
    if (lock) rcu_read_unlock();
    if (ns && late) get(ns);
  } else {
    // BUG reader_without_task_lock: reads tsk->nsproxy with no lock.
    bool lock = !w->bug_active(Bug::reader_without_task_lock);
    if (lock) task_lock(task);
    nsproxy *nsp = task->nsproxy;
    sched_point(Site::rcu_dereference, nsp);
    if (nsp && w->check_alive(nsp, "task->nsproxy")) {
      ns = nsp->*member;
      get(ns);
    }
    if (lock) task_unlock(task);
  }
  if (ns) sched_point(Site::reader_got_ns, ns);
  return ns;
}

bool exited(const task_struct *t) {
  return t->nsproxy == nullptr;
}

}  // namespace

int sys_clone(uint32_t flags) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  if (flags & ~kCloneNewAll) return -EINVAL;
  auto child = std::make_unique<task_struct>();
  child->world = current->world;
  child->privileged = current->privileged;
  child->nsproxy = current->nsproxy;  // dup_task_struct copies the pointer
  int err = copy_namespaces(flags, child.get());
  if (err) return err;
  nsproxy *ns = child->nsproxy;
  int pid = current->world->attach_task(std::move(child));
  if (pid < 0) put_nsproxy(ns);  // the fork fails after all
  return pid;
}

int sys_unshare(uint32_t flags) {
  // The line of issue 12: an existing site, one more pass of it per unshare.
  SCHED_DRIFT_POINT(Site::copy_namespaces_step, current);
  if (exited(current)) return -ESRCH;
  // check_unshare_flags: in 2007 unshare knew NEWNS, NEWUTS, NEWIPC and
  // NEWNET; NEWPID (and anything else) is invalid.
  if (flags & ~(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET))
    return -EINVAL;
  nsproxy *new_ns;
  int err = unshare_nsproxy_namespaces(flags, &new_ns);
  if (err || !new_ns) return err;
  switch_task_namespaces(current, new_ns);
  put_nsproxy(new_ns);  // switch_task_namespaces took its own reference
  return 0;
}

int daemonize() {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  World *w = current->world;
  nsproxy *init_ns = w->init_task()->nsproxy;  // init never switches
  if (w->protocol() == Protocol::task_lock_2007) {
    // 2007: exit_task_namespaces(current); current->nsproxy = init's;
    // get_task_namespaces(current). Readers briefly see NULL: "almost dead".
    exit_task_namespaces(current);
    get_nsproxy(init_ns);
    task_lock(current);
    current->nsproxy = init_ns;
    task_unlock(current);
    return 0;
  }
  switch_task_namespaces(current, init_ns);
  return 0;
}

int do_exit_namespaces() {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  exit_task_namespaces(current);
  return 0;
}

int mounts_open(int pid, std::vector<std::string> *mounts) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  task_struct *task = current->world->find_task(pid);  // get_proc_task
  if (!task) return -ESRCH;
  mnt_namespace *ns = get_task_ns(task, &nsproxy::mnt_ns, get_mnt_ns);
  if (!ns) return -EINVAL;
  *mounts = list_mounts(ns);
  put_mnt_ns(ns);
  return static_cast<int>(mounts->size());
}

int mountstats_open(int pid, std::vector<std::string> *stats) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  task_struct *task = current->world->find_task(pid);
  if (!task) return -ESRCH;
  mnt_namespace *ns = get_task_ns(task, &nsproxy::mnt_ns, get_mnt_ns);
  if (!ns) return -EINVAL;
  stats->clear();
  for (const std::string &m : list_mounts(ns))
    stats->push_back("device " + m + " mounted with fstype model");
  put_mnt_ns(ns);
  return static_cast<int>(stats->size());
}

int gethostname_of(int pid, std::string *name) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  task_struct *task = current->world->find_task(pid);
  if (!task) return -ESRCH;
  uts_namespace *ns = get_task_ns(task, &nsproxy::uts_ns, get_uts_ns);
  if (!ns) return -EINVAL;
  task_struct *me = current;
  spin_lock(&ns->uts_sem, me, ns, Site::ns_lock, Site::ns_lock_contended,
            "uts_sem");
  *name = ns->nodename;
  spin_unlock(&ns->uts_sem, ns, Site::ns_unlocked);
  put_uts_ns(ns);
  return 0;
}

int sys_sethostname(const std::string &name) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  if (!capable_sys_admin(current)) return -EPERM;
  if (name.size() > static_cast<size_t>(kHostNameLen)) return -EINVAL;
  uts_namespace *ns = current->nsproxy->uts_ns;  // rule 2
  spin_lock(&ns->uts_sem, current, ns, Site::ns_lock, Site::ns_lock_contended,
            "uts_sem");
  std::snprintf(ns->nodename, sizeof ns->nodename, "%s", name.c_str());
  spin_unlock(&ns->uts_sem, ns, Site::ns_unlocked);
  return 0;
}

int sys_mount(const std::string &devname) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  if (!capable_sys_admin(current)) return -EPERM;
  return do_mount(current->nsproxy->mnt_ns, devname);
}

int sys_umount(const std::string &devname) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  if (!capable_sys_admin(current)) return -EPERM;
  return do_umount(current->nsproxy->mnt_ns, devname);
}

int sys_setns(int pid) {
  SCHED_DRIFT_POINT(Site::drift_probe, current);
  if (exited(current)) return -ESRCH;
  if (!capable_sys_admin(current)) return -EPERM;
  World *w = current->world;
  task_struct *task = w->find_task(pid);
  if (!task) return -ESRCH;
  nsproxy *nsp = nullptr;
  if (w->protocol() == Protocol::rcu_2007) {
    rcu_read_lock();
    nsp = task_nsproxy(task);
    if (nsp && w->bug_active(Bug::setns_no_ref_across_switch)) {
      // BUG: no reference held from here to switch_task_namespaces' get.
      rcu_read_unlock();
      switch_task_namespaces(current, nsp);
      return 0;
    }
    if (nsp) {
      sched_point(Site::get_nsproxy, nsp);
      if (w->bug_active(Bug::setns_plain_get))
        get_nsproxy(nsp);  // BUG: may resurrect a count already at zero
      else if (!get_nsproxy_not_zero(nsp))
        nsp = nullptr;  // its owner dropped it; it waits for a grace period
    }
    if (nsp && w->bug_active(Bug::synchronize_rcu_in_reader)) {
      // BUG: switching (which may wait for a grace period) inside the
      // read-side critical section.
      switch_task_namespaces(current, nsp);
      put_nsproxy(nsp);
      rcu_read_unlock();
      return 0;
    }
    rcu_read_unlock();
  } else {
    task_lock(task);
    nsp = task->nsproxy;
    sched_point(Site::rcu_dereference, nsp);
    if (nsp) get_nsproxy(nsp);  // task_lock keeps the owner's reference
    task_unlock(task);
  }
  if (!nsp) return -EINVAL;
  switch_task_namespaces(current, nsp);
  put_nsproxy(nsp);
  return 0;
}

}  // namespace nsfuzz
