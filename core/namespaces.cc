// Namespaces: refcounting, copying at clone/unshare, and their small state.
#include "core/namespaces.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "core/finding.h"
#include "core/sched.h"
#include "core/uapi.h"
#include "core/world.h"

namespace nsfuzz {
namespace {

void get_ns(ns_common *ns, const char *where) {
  if (!ns->world->check_alive(ns, where)) return;
  // A plain increment, as kref_get: the caller's reference keeps it > 0.
  ns->count.fetch_add(1, std::memory_order_relaxed);
}

// Returns true when the caller dropped the last reference and must free.
bool put_ns(ns_common *ns, const char *where) {
  sched_point(Site::put_ns, ns);
  if (!ns->world->check_alive(ns, where)) return false;
  // acq_rel: every earlier user's accesses happen-before the free.
  int old = ns->count.fetch_sub(1, std::memory_order_acq_rel);
  if (old <= 0) {
    report_finding(FindingKind::refcount_underflow,
                   std::string(obj_kind_name(ns->kind)), where,
                   "put on a reference count that was already zero");
    return false;
  }
  return old == 1;
}

void spin_lock_ns(spinlock_t *l, const void *ns, const char *name) {
  spin_lock(l, current, ns, Site::ns_lock, Site::ns_lock_contended, name);
}
void spin_unlock_ns(spinlock_t *l, const void *ns) {
  spin_unlock(l, ns, Site::ns_unlocked);
}

}  // namespace

void get_uts_ns(uts_namespace *ns) {
  get_ns(ns, "get_uts_ns");
}
void put_uts_ns(uts_namespace *ns) {
  if (put_ns(ns, "put_uts_ns")) ns->world->free_obj(ns, "free_uts_ns");
}

void get_ipc_ns(ipc_namespace *ns) {
  get_ns(ns, "get_ipc_ns");
}
void put_ipc_ns(ipc_namespace *ns) {
  if (put_ns(ns, "put_ipc_ns")) ns->world->free_obj(ns, "free_ipc_ns");
}

void get_net(net *ns) {
  get_ns(ns, "get_net");
}
void put_net(net *ns) {
  if (put_ns(ns, "put_net")) ns->world->free_obj(ns, "free_net");
}

void get_mnt_ns(mnt_namespace *ns) {
  get_ns(ns, "get_mnt_ns");
}
void put_mnt_ns(mnt_namespace *ns) {
  if (!put_ns(ns, "put_mnt_ns")) return;
  World *w = ns->world;
  for (mount *m = ns->list; m;) {
    mount *next = m->next;
    w->free_obj(m, "put_mnt_ns");
    m = next;
  }
  w->free_obj(ns, "put_mnt_ns");
}

void get_pid_ns(pid_namespace *ns) {
  get_ns(ns, "get_pid_ns");
}
void put_pid_ns(pid_namespace *ns) {
  // Iterative, as the kernel's: each pid namespace holds its parent.
  while (ns && put_ns(ns, "put_pid_ns")) {
    pid_namespace *parent = ns->parent;
    ns->world->free_obj(ns, "put_pid_ns");
    ns = parent;
  }
}

uts_namespace *copy_utsname(uint32_t flags, uts_namespace *old) {
  if (!(flags & CLONE_NEWUTS)) {
    get_uts_ns(old);
    return old;
  }
  auto *ns = old->world->alloc<uts_namespace>(old->world);
  if (!ns) return ERR_PTR<uts_namespace>(-ENOMEM);
  // Other tasks sharing `old` may sethostname meanwhile: copy under its lock.
  spin_lock_ns(&old->uts_sem, old, "uts_sem");
  std::memcpy(ns->nodename, old->nodename, sizeof ns->nodename);
  spin_unlock_ns(&old->uts_sem, old);
  return ns;
}

ipc_namespace *copy_ipcs(uint32_t flags, ipc_namespace *old) {
  if (!(flags & CLONE_NEWIPC)) {
    get_ipc_ns(old);
    return old;
  }
  auto *ns = old->world->alloc<ipc_namespace>(old->world);
  return ns ? ns : ERR_PTR<ipc_namespace>(-ENOMEM);
}

net *copy_net_ns(uint32_t flags, net *old) {
  if (!(flags & CLONE_NEWNET)) {
    get_net(old);
    return old;
  }
  auto *ns = old->world->alloc<net>(old->world);
  return ns ? ns : ERR_PTR<net>(-ENOMEM);
}

pid_namespace *copy_pid_ns(uint32_t flags, pid_namespace *old) {
  if (!(flags & CLONE_NEWPID)) {
    get_pid_ns(old);
    return old;
  }
  auto *ns = old->world->alloc<pid_namespace>(old->world);
  if (!ns) return ERR_PTR<pid_namespace>(-ENOMEM);
  ns->level = old->level + 1;
  get_pid_ns(old);
  ns->parent = old;
  return ns;
}

mnt_namespace *copy_mnt_ns(uint32_t flags, mnt_namespace *old) {
  if (!(flags & CLONE_NEWNS)) {
    get_mnt_ns(old);
    return old;
  }
  World *w = old->world;
  auto *ns = w->alloc<mnt_namespace>(w);
  if (!ns) return ERR_PTR<mnt_namespace>(-ENOMEM);
  // Copy the mount tree (a list here) under the old namespace's lock; on a
  // failed allocation, free the partial copy.
  spin_lock_ns(&old->namespace_sem, old, "namespace_sem");
  mount **tail = &ns->list;
  bool failed = false;
  for (mount *m = old->list; m; m = m->next) {
    mount *copy = w->alloc<mount>();
    if (!copy) {
      failed = true;
      break;
    }
    std::memcpy(copy->devname, m->devname, sizeof copy->devname);
    *tail = copy;
    tail = &copy->next;
    ++ns->nr_mounts;
  }
  spin_unlock_ns(&old->namespace_sem, old);
  if (failed) {
    put_mnt_ns(ns);
    return ERR_PTR<mnt_namespace>(-ENOMEM);
  }
  return ns;
}

std::vector<std::string> list_mounts(mnt_namespace *ns) {
  std::vector<std::string> out;
  spin_lock_ns(&ns->namespace_sem, ns, "namespace_sem");
  for (mount *m = ns->list; m; m = m->next)
    if (ns->world->check_alive(m, "list_mounts")) out.emplace_back(m->devname);
  spin_unlock_ns(&ns->namespace_sem, ns);
  return out;
}

int do_mount(mnt_namespace *ns, const std::string &devname) {
  World *w = ns->world;
  mount *m = w->alloc<mount>();
  if (!m) return -ENOMEM;
  std::strncpy(m->devname, devname.c_str(), sizeof m->devname - 1);
  spin_lock_ns(&ns->namespace_sem, ns, "namespace_sem");
  bool full = ns->nr_mounts >= w->limits().mounts;
  if (!full) {
    m->next = ns->list;
    ns->list = m;
    ++ns->nr_mounts;
  }
  spin_unlock_ns(&ns->namespace_sem, ns);
  if (full) {
    w->free_obj(m, "do_mount");
    return -ENOMEM;
  }
  return 0;
}

int do_umount(mnt_namespace *ns, const std::string &devname) {
  mount *victim = nullptr;
  spin_lock_ns(&ns->namespace_sem, ns, "namespace_sem");
  for (mount **pp = &ns->list; *pp; pp = &(*pp)->next) {
    if (devname == (*pp)->devname) {
      victim = *pp;
      *pp = victim->next;
      --ns->nr_mounts;
      break;
    }
  }
  spin_unlock_ns(&ns->namespace_sem, ns);
  if (!victim) return -EINVAL;
  ns->world->free_obj(victim, "do_umount");
  return 0;
}

}  // namespace nsfuzz
