// Schedule points: where the core lets an installed scheduler switch tasks.
//
// The core calls sched_point(site, obj) in every window where another
// thread's step could change the outcome, and sched_block(...) when the
// calling thread cannot go on until another thread acts (a held spinlock, a
// grace period waiting for a reader). With no scheduler installed a point
// costs one predictable branch and a block just yields the CPU.
#ifndef NSFUZZ_CORE_SCHED_H_
#define NSFUZZ_CORE_SCHED_H_

#include <optional>
#include <string_view>

namespace nsfuzz {

enum class Site : unsigned char {
#define SITE(name, doc) name,
#include "core/sites.def"
#undef SITE
};
inline constexpr int kNumSites = 0
#define SITE(name, doc) +1
#include "core/sites.def"
#undef SITE
    ;

std::string_view site_name(Site s);
// The site of that name, if any.
std::optional<Site> site_by_name(std::string_view name);
std::string_view site_doc(Site s);

// A condition the blocked thread waits for: it only reads. A scheduler
// evaluates it on whichever thread decides who runs next, and must keep
// those reads (and anything they call) out of TSan's sight: they are
// ordered by the scheduler's own hand-off, which TSan is deliberately not
// told about (the executor's TsanBlind scope).
struct WaitFor {
  bool (*ready)(const void *arg);
  const void *arg;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // The calling thread reached `site` touching `obj`; may run others first.
  virtual void point(Site site, const void *obj) = 0;
  // The calling thread cannot proceed until `w.ready(w.arg)`; returns once
  // it is true (other threads ran meanwhile). Never returns early.
  virtual void block(Site site, const void *obj, WaitFor w) = 0;
  // The calling thread touches `obj` where it has no point (see
  // sched_access).
  virtual void access(const void *obj) { (void)obj; }
};

// What the core keeps per task outside task_struct, where a kernel thread
// would use per-task or per-CPU state: the RCU reader slot and the
// spinlocks held. Each OS thread has its own by default; a scheduler that
// runs several tasks on one thread (fibers) gives each task its own and
// installs it, with `current`, whenever that task resumes.
struct TaskLocal {
  int rcu_slot = -1;       // core/rcu.cc: this task's reader slot
  int spinlocks_held = 0;  // core/spinlock.cc
};

namespace sched_internal {
extern Scheduler *installed;
// The running task's TaskLocal; nullptr: the calling thread's own.
extern thread_local TaskLocal *task_local;
}  // namespace sched_internal

// The running task's TaskLocal.
TaskLocal &task_local();

// Installs (or, with nullptr, removes) the process-wide scheduler. Call only
// while no core operation runs.
void install_scheduler(Scheduler *s);

inline void sched_point(Site site, const void *obj = nullptr) {
  if (__builtin_expect(sched_internal::installed != nullptr, 0))
    sched_internal::installed->point(site, obj);
}

// The calling thread touches shared `obj` between two points, where no
// point names it (a reference count, the allocator's count): a scheduler
// that decides which steps commute counts it in the thread's current step.
inline void sched_access(const void *obj) {
  if (__builtin_expect(sched_internal::installed != nullptr, 0))
    sched_internal::installed->access(obj);
}

// Blocks until w is ready: through the scheduler when one is installed, by
// yielding the CPU otherwise (free-running: real concurrency).
void sched_block(Site site, const void *obj, WaitFor w);

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_SCHED_H_
