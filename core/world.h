// World: one run's universe of tasks and objects, its protocol and checks.
//
// A world starts with the init task and its init nsproxy. Threads of a run
// each act as a task forked from init (spawn_task); clone() adds children.
// Objects are allocated through the world, which counts them, can fail the
// Nth allocation (to reach error paths), and at teardown exits every task
// and checks that every object was freed exactly once.
#ifndef NSFUZZ_CORE_WORLD_H_
#define NSFUZZ_CORE_WORLD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <string>

#include "core/bugs.h"
#include "core/lifetime.h"
#include "core/limits.h"
#include "core/protocol.h"
#include "core/task.h"

namespace nsfuzz {

inline constexpr int kMaxObjects = 4096;

struct WorldOptions {
  Protocol protocol = Protocol::rcu_2007;
  Bug bug = kDefaultBug;    // only with the catalog compiled in
  uint32_t fail_alloc = 0;  // 0: never; N: the Nth allocation fails
  Limits limits;            // each clamped to 1..its capacity
};

class World {
 public:
  explicit World(const WorldOptions &opts);
  ~World();  // frees everything still there; call teardown() to check
  World(const World &) = delete;
  World &operator=(const World &) = delete;

  Protocol protocol() const { return protocol_; }
  Bug bug() const { return bug_; }
  const Limits &limits() const { return limits_; }
  // Whether the injected bug `b` is active. Constant false in normal builds.
  bool bug_active(Bug b) const {
    if constexpr (!kBugCatalogCompiled) return false;
    return bug_ == b;
  }

  task_struct *init_task() { return tasks_[0].load(std::memory_order_relaxed); }
  // Setup only (no thread running): a task forked from init without CLONE_NEW*.
  task_struct *spawn_task(bool privileged);
  // The task with that pid, or nullptr (ESRCH). Any thread, any time.
  task_struct *find_task(int pid) const;
  int nr_tasks() const { return nr_tasks_.load(std::memory_order_acquire); }
  // Publishes a forked child; returns its pid, or -EAGAIN when the world
  // has limits().tasks tasks.
  int attach_task(std::unique_ptr<task_struct> t);

  // Allocation of a model object: nullptr when it is the one to fail (or
  // the object table is full), as kmalloc returns NULL.
  template <typename T, typename... Args>
  T *alloc(Args &&...args) {
    if (!alloc_allowed()) return nullptr;
    T *obj = new (std::nothrow) T(std::forward<Args>(args)...);
    if (obj) track(obj);
    return obj;
  }
  // Marks the object dead and counts it; reports a double free.
  void free_obj(ObjHeader *obj, const char *where);
  // Reports a use after free (seen where ASan does not run) and returns
  // false if the object is dead.
  bool check_alive(const ObjHeader *obj, const char *where);

  LifetimeCounts counts() const;
  uint32_t allocations() const {
    return alloc_count_.load(std::memory_order_relaxed);
  }

  // Run alone, after every thread stopped: exits the namespaces of every
  // task, then init's, and reports each kind of object still live as a
  // leak. Returns whether the world ended clean.
  bool teardown();

  // "nsproxy#3", "T2", ...: a name for a pointer the core passes to a
  // schedule point, for traces. Slow; for printing only. The executor calls
  // it on whichever thread holds the token, so TSan must not see its reads
  // (they are ordered by the token, which TSan is not told about).
  __attribute__((no_sanitize("thread"))) std::string describe(
      const void *p) const;

 private:
  static void destroy(ObjHeader *obj);
  bool alloc_allowed();
  void track(ObjHeader *obj);

  Protocol protocol_;
  Bug bug_;
  Limits limits_;
  uint32_t fail_alloc_;
  std::atomic<uint32_t> alloc_count_{0};
  std::atomic<int> nr_tasks_{0};
  std::atomic<task_struct *> tasks_[kMaxTasks] = {};
  std::unique_ptr<task_struct> owned_tasks_[kMaxTasks];
  std::atomic<int> nr_objects_{0};
  // Not zeroed (a run uses a few dozen of 4096 slots, and zeroing them
  // all cost the fuzz target 6% of its time under ASan): only
  // [0, nr_objects_) is read, each slot written by track() first. Atomic
  // through std::atomic_ref: free-running threads allocate concurrently.
  mutable ObjHeader *objects_[kMaxObjects];
  std::atomic_ref<ObjHeader *> object_slot(int i) const {
    return std::atomic_ref<ObjHeader *>(objects_[i]);
  }
  std::atomic<long> allocated_[kNumObjKinds] = {};
  std::atomic<long> freed_[kNumObjKinds] = {};
  bool torn_down_ = false;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_WORLD_H_
