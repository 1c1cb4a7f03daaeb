// nsproxy: a task's set of namespaces, and the operations that share,
// copy, switch and read it under the world's protocol.
#ifndef NSFUZZ_CORE_NSPROXY_H_
#define NSFUZZ_CORE_NSPROXY_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lifetime.h"
#include "core/namespaces.h"
#include "core/task.h"

namespace nsfuzz {

struct nsproxy : ObjHeader {
  explicit nsproxy(World *w) : ObjHeader(ObjKind::nsproxy), world(w) {}
  World *world;
  std::atomic<int> count{1};
  uts_namespace *uts_ns = nullptr;
  ipc_namespace *ipc_ns = nullptr;
  mnt_namespace *mnt_ns = nullptr;
  pid_namespace *pid_ns = nullptr;
  net *net_ns = nullptr;
};

// rcu_dereference(tsk->nsproxy): for rcu_2007 readers, inside rcu_read_lock.
nsproxy *task_nsproxy(task_struct *tsk);

// atomic_inc: the caller holds a reference or keeps the owner's alive.
void get_nsproxy(nsproxy *ns);
// atomic_inc_not_zero: fails on an nsproxy whose last reference is gone
// (under RCU it may still be readable, waiting for its grace period).
bool get_nsproxy_not_zero(nsproxy *ns);
// The last put frees: in rcu_2007 after synchronize_rcu().
void put_nsproxy(nsproxy *ns);
void free_nsproxy(nsproxy *ns);

// A new nsproxy for `flags` from tsk's (count 1), or an ERR_PTR, having
// unwound whatever it had built.
nsproxy *create_new_namespaces(uint32_t flags, task_struct *tsk);
// At fork: the child shares (and gets) the parent's nsproxy, or gets a new
// one for CLONE_NEW* flags. 0, -EPERM, -ENOMEM.
int copy_namespaces(uint32_t flags, task_struct *tsk);
// unshare(2)'s part: 0 with *new_nsp set (or left NULL for no flags),
// -EINVAL, -EPERM, -ENOMEM.
int unshare_nsproxy_namespaces(uint32_t flags, nsproxy **new_nsp);
// p becomes `new_ns` (takes its own reference on it) and drops the old one.
// The caller keeps `new_ns` alive across the call (Serge Hallyn's rule 3):
// init's, a brand-new one, or one it holds a reference on.
void switch_task_namespaces(task_struct *p, nsproxy *new_ns);
void exit_task_namespaces(task_struct *p);

// --- The operations a Program runs, as `current`. They return 0 (or a
// count) on success and -E* on failure; -ESRCH for a target task that does
// not exist, -EINVAL for one that has exited.
int sys_clone(uint32_t flags);  // returns the child's pid
int sys_unshare(uint32_t flags);
int daemonize();
int do_exit_namespaces();
int mounts_open(int pid, std::vector<std::string> *mounts);
int mountstats_open(int pid, std::vector<std::string> *stats);
int gethostname_of(int pid, std::string *name);
int sys_sethostname(const std::string &name);
int sys_mount(const std::string &devname);
int sys_umount(const std::string &devname);
int sys_setns(int pid);

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_NSPROXY_H_
