// World: setup, object accounting, and the teardown check.
#include "core/world.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>

#include "core/finding.h"
#include "core/namespaces.h"
#include "core/nsproxy.h"
#include "core/sched.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NSFUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NSFUZZ_ASAN 1
#endif

namespace nsfuzz {

thread_local task_struct *current = nullptr;

std::string_view obj_kind_name(ObjKind k) {
  switch (k) {
    case ObjKind::nsproxy: return "nsproxy";
    case ObjKind::uts_namespace: return "uts_namespace";
    case ObjKind::ipc_namespace: return "ipc_namespace";
    case ObjKind::mnt_namespace: return "mnt_namespace";
    case ObjKind::pid_namespace: return "pid_namespace";
    case ObjKind::net: return "net";
    case ObjKind::mount: return "mount";
  }
  return "?";
}

long LifetimeCounts::total_live() const {
  long n = 0;
  for (int k = 0; k < kNumObjKinds; ++k) n += allocated[k] - freed[k];
  return n;
}

World::World(const WorldOptions &opts)
    : protocol_(opts.protocol),
      bug_(kBugCatalogCompiled ? opts.bug : Bug::none),
      limits_{.tasks = std::clamp(opts.limits.tasks, 1, kMaxTasks),
              .mounts = std::clamp(opts.limits.mounts, 1, kMaxMountsPerNs)},
      fail_alloc_(0) {
  // init_nsproxy and the initial namespaces; never subject to injection.
  auto *nsp = alloc<nsproxy>(this);
  nsp->uts_ns = alloc<uts_namespace>(this);
  nsp->ipc_ns = alloc<ipc_namespace>(this);
  nsp->mnt_ns = alloc<mnt_namespace>(this);
  nsp->pid_ns = alloc<pid_namespace>(this);
  nsp->net_ns = alloc<net>(this);
  do_mount(nsp->mnt_ns, "rootfs");
  auto init = std::make_unique<task_struct>();
  init->privileged = true;
  init->nsproxy = nsp;
  attach_task(std::move(init));
  // Count the Program's allocations only.
  alloc_count_.store(0, std::memory_order_relaxed);
  fail_alloc_ = opts.fail_alloc;
}

World::~World() {
  for (int i = 0, n = nr_objects_.load(); i < n; ++i)
    destroy(object_slot(i).load(std::memory_order_relaxed));
}

void World::destroy(ObjHeader *obj) {
  if (!obj) return;
  switch (obj->kind) {
    case ObjKind::nsproxy: delete static_cast<nsproxy *>(obj); return;
    case ObjKind::uts_namespace:
      delete static_cast<uts_namespace *>(obj);
      return;
    case ObjKind::ipc_namespace:
      delete static_cast<ipc_namespace *>(obj);
      return;
    case ObjKind::mnt_namespace:
      delete static_cast<mnt_namespace *>(obj);
      return;
    case ObjKind::pid_namespace:
      delete static_cast<pid_namespace *>(obj);
      return;
    case ObjKind::net: delete static_cast<net *>(obj); return;
    case ObjKind::mount: delete static_cast<mount *>(obj); return;
  }
}

task_struct *World::spawn_task(bool privileged) {
  task_struct *init = init_task();
  auto t = std::make_unique<task_struct>();
  t->privileged = privileged;
  t->nsproxy = init->nsproxy;
  get_nsproxy(t->nsproxy);
  task_struct *raw = t.get();
  nsproxy *nsp = t->nsproxy;  // a refused task is gone when attach returns
  if (attach_task(std::move(t)) < 0) {
    put_nsproxy(nsp);
    return nullptr;
  }
  return raw;
}

int World::attach_task(std::unique_ptr<task_struct> t) {
  // Only one thread attaches at a time under the executor; the index is
  // claimed with an RMW so the free-running mode stays correct too.
  int pid = nr_tasks_.load(std::memory_order_relaxed);
  do {
    if (pid >= limits_.tasks) return -EAGAIN;
  } while (!nr_tasks_.compare_exchange_weak(pid, pid + 1,
                                            std::memory_order_relaxed));
  t->pid = pid;
  t->world = this;
  task_struct *raw = t.get();
  owned_tasks_[pid] = std::move(t);
  // Publishing a task is the kernel's attach_pid: readers that find it see
  // it whole (a real happens-before edge of the kernel, not of the model).
  tasks_[pid].store(raw, std::memory_order_release);
  return pid;
}

task_struct *World::find_task(int pid) const {
  if (pid < 0 || pid >= kMaxTasks) return nullptr;
  return tasks_[pid].load(std::memory_order_acquire);
}

bool World::alloc_allowed() {
  sched_access(&alloc_count_);  // which allocation fails depends on order
  uint32_t n = alloc_count_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (fail_alloc_ != 0 && n == fail_alloc_) return false;
  return nr_objects_.load(std::memory_order_relaxed) < kMaxObjects;
}

void World::track(ObjHeader *obj) {
  int slot = nr_objects_.fetch_add(1, std::memory_order_relaxed);
  if (slot >= kMaxObjects) {  // lost a race for the last slot
    nr_objects_.fetch_sub(1, std::memory_order_relaxed);
    destroy(obj);
    return;
  }
  obj->slot = slot;
  obj->id = slot;
  object_slot(slot).store(obj, std::memory_order_relaxed);
  allocated_[static_cast<int>(obj->kind)].fetch_add(1,
                                                    std::memory_order_relaxed);
}

void World::free_obj(ObjHeader *obj, const char *where) {
  sched_access(obj);
  uint32_t was =
      obj->state.exchange(ObjHeader::kDead, std::memory_order_relaxed);
  if (was != ObjHeader::kAlive) {
    report_finding(FindingKind::double_free,
                   std::string(obj_kind_name(obj->kind)), where,
                   "object freed a second time");
    return;
  }
  freed_[static_cast<int>(obj->kind)].fetch_add(1, std::memory_order_relaxed);
#ifdef NSFUZZ_ASAN
  // Really free it: ASan's quarantine reports any later use, with stacks.
  object_slot(obj->slot).store(nullptr, std::memory_order_relaxed);
  destroy(obj);
#endif
}

bool World::check_alive(const ObjHeader *obj, const char *where) {
  sched_access(obj);  // every get and put of a reference passes here
  if (obj->alive()) return true;
  report_finding(FindingKind::use_after_free,
                 std::string(obj_kind_name(obj->kind)), where,
                 "object used after it was freed");
  return false;
}

LifetimeCounts World::counts() const {
  LifetimeCounts c;
  for (int k = 0; k < kNumObjKinds; ++k) {
    c.allocated[k] = allocated_[k].load(std::memory_order_relaxed);
    c.freed[k] = freed_[k].load(std::memory_order_relaxed);
  }
  return c;
}

bool World::teardown() {
  if (torn_down_) return true;
  torn_down_ = true;
  task_struct *saved = current;
  for (int pid = nr_tasks() - 1; pid >= 0; --pid) {
    task_struct *t = find_task(pid);
    current = t;  // exit_task_namespaces runs as the task itself (rule 1)
    if (t->nsproxy) exit_task_namespaces(t);
  }
  current = saved;
  bool clean = true;
  LifetimeCounts c = counts();
  for (int k = 0; k < kNumObjKinds; ++k) {
    long live = c.allocated[k] - c.freed[k];
    if (live == 0) continue;
    clean = false;
    auto kind = static_cast<ObjKind>(k);
    char msg[160];
    std::snprintf(msg, sizeof msg,
                  "%ld %s still live after every task exited (allocated "
                  "%ld, freed %ld)",
                  live, std::string(obj_kind_name(kind)).c_str(),
                  c.allocated[k], c.freed[k]);
    report_finding(live > 0 ? FindingKind::leak : FindingKind::double_free,
                   std::string(obj_kind_name(kind)), "teardown", msg);
  }
  return clean;
}

std::string World::describe(const void *p) const {
  if (!p) return "-";
  for (int i = 0; i < nr_tasks(); ++i)
    if (find_task(i) == p) return "T" + std::to_string(i);
  for (int i = 0, n = nr_objects_.load(std::memory_order_relaxed); i < n; ++i) {
    ObjHeader *o = object_slot(i).load(std::memory_order_relaxed);
    if (o == p)
      return std::string(obj_kind_name(o->kind)) + "#" + std::to_string(o->id);
  }
  return "?";
}

}  // namespace nsfuzz
