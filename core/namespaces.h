// The five namespaces an nsproxy points to, each refcounted (get_*/put_*).
//
// Each has small but real state: uts a hostname under uts_sem, mnt a list
// of mounts under namespace_sem that readers of other tasks iterate, pid a
// level and a reference on its parent, ipc and net a counter. The kernel's
// uts_sem and namespace_sem are rw-semaphores; the model uses spinlock_t,
// exclusive, which keeps every interleaving of a reader and a writer.
#ifndef NSFUZZ_CORE_NAMESPACES_H_
#define NSFUZZ_CORE_NAMESPACES_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lifetime.h"
#include "core/limits.h"
#include "core/spinlock.h"

namespace nsfuzz {

class World;

inline constexpr int kHostNameLen = 64;  // __NEW_UTS_LEN

struct ns_common : ObjHeader {
  ns_common(ObjKind k, World *w) : ObjHeader(k), world(w) {}
  World *world;
  std::atomic<int> count{1};
};

struct uts_namespace : ns_common {
  explicit uts_namespace(World *w) : ns_common(ObjKind::uts_namespace, w) {}
  spinlock_t uts_sem;
  char nodename[kHostNameLen + 1] = "init";
};

struct ipc_namespace : ns_common {
  explicit ipc_namespace(World *w) : ns_common(ObjKind::ipc_namespace, w) {}
  int ids_in_use = 0;
};

struct mount : ObjHeader {
  mount() : ObjHeader(ObjKind::mount) {}
  char devname[16] = {};
  mount *next = nullptr;
};

struct mnt_namespace : ns_common {
  explicit mnt_namespace(World *w) : ns_common(ObjKind::mnt_namespace, w) {}
  spinlock_t namespace_sem;
  mount *list = nullptr;  // newest first
  int nr_mounts = 0;
};

struct pid_namespace : ns_common {
  explicit pid_namespace(World *w) : ns_common(ObjKind::pid_namespace, w) {}
  int level = 0;
  pid_namespace *parent = nullptr;  // holds a reference
  int last_pid = 1;
};

struct net : ns_common {
  explicit net(World *w) : ns_common(ObjKind::net, w) {}
  int ifindex = 1;  // the loopback device
};

// get_*: the caller already holds a reference (or a lock or RCU read side
// that keeps the namespace's owner from dropping its own). put_*: frees on
// the last reference; a put on zero is reported as a refcount underflow.
void get_uts_ns(uts_namespace *ns);
void put_uts_ns(uts_namespace *ns);
void get_ipc_ns(ipc_namespace *ns);
void put_ipc_ns(ipc_namespace *ns);
void get_mnt_ns(mnt_namespace *ns);
void put_mnt_ns(mnt_namespace *ns);
void get_pid_ns(pid_namespace *ns);
void put_pid_ns(pid_namespace *ns);
void get_net(net *ns);
void put_net(net *ns);

// copy_*(flags, old): with the namespace's CLONE_NEW* flag, a new namespace
// copied from old (count 1); without, old with a new reference. Returns an
// ERR_PTR(-ENOMEM) when an allocation fails, having freed what it built.
uts_namespace *copy_utsname(uint32_t flags, uts_namespace *old);
ipc_namespace *copy_ipcs(uint32_t flags, ipc_namespace *old);
mnt_namespace *copy_mnt_ns(uint32_t flags, mnt_namespace *old);
pid_namespace *copy_pid_ns(uint32_t flags, pid_namespace *old);
net *copy_net_ns(uint32_t flags, net *old);

// The mount list, read under namespace_sem (what /proc/<pid>/mounts shows).
std::vector<std::string> list_mounts(mnt_namespace *ns);
// 0 or -ENOMEM (allocation, or the namespace holds its world's
// limits().mounts mounts).
int do_mount(mnt_namespace *ns, const std::string &devname);
// 0 or -EINVAL when nothing of that name is mounted.
int do_umount(mnt_namespace *ns, const std::string &devname);

// Kernel-style error pointers: an errno folded into a pointer.
template <typename T>
T *ERR_PTR(long err) {
  return reinterpret_cast<T *>(static_cast<intptr_t>(err));
}
inline bool IS_ERR(const void *p) {
  return reinterpret_cast<uintptr_t>(p) >= static_cast<uintptr_t>(-4095);
}
inline long PTR_ERR(const void *p) {
  return static_cast<long>(reinterpret_cast<intptr_t>(p));
}

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_NAMESPACES_H_
