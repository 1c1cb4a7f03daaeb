// Fiber: a stack and saved registers on the calling OS thread, switched to
// with no system call, and told to ASan and TSan as a context of its own.
//
// A switch saves the callee-saved registers on the running stack and loads
// the other fiber's (about 20 instructions; glibc's swapcontext also makes
// an rt_sigprocmask system call). Around it, ASan is told which stack runs
// next (__sanitizer_start/finish_switch_fiber), and TSan which of its
// fibers (__tsan_switch_to_fiber): each fiber is a thread in TSan's eyes,
// so their races are reported, and a switch adds a happens-before edge
// only when asked to (`sync`). x86-64 only: elsewhere fibers_available()
// is false and the executor runs on threads.
#ifndef NSFUZZ_FUZZERS_EXEC_FIBER_H_
#define NSFUZZ_FUZZERS_EXEC_FIBER_H_

#include <cstddef>

namespace nsfuzz {

bool fibers_available();

class Fiber {
 public:
  using Entry = void (*)(void *arg);
  // The calling thread's own context, to switch away from and back to.
  Fiber();
  // A context that runs entry(arg) on a stack of its own from the first
  // switch to it. `entry` never returns: it ends with exit_to().
  Fiber(Entry entry, void *arg, size_t stack_size = 1 << 20);
  ~Fiber();
  Fiber(const Fiber &) = delete;
  Fiber &operator=(const Fiber &) = delete;

  // From this fiber, which must be the running one, to `to`; returns when
  // some fiber switches back to this one. With `sync`, everything this
  // fiber did happens-before what `to` does next (for TSan).
  void switch_to(Fiber &to, bool sync);
  // The same, for good: this fiber is never resumed (its entry's end).
  [[noreturn]] void exit_to(Fiber &to, bool sync);

 private:
  static void start(Fiber *self);
  void leave(Fiber &to, bool sync, bool for_good);
  void arrive();

  void *sp_ = nullptr;  // saved stack pointer while not running
  Entry entry_ = nullptr;
  void *arg_ = nullptr;
  char *map_ = nullptr;  // the mapping: a guard page, then the stack
  size_t map_size_ = 0;
  // The stack ASan knows this fiber by (the thread's own: learnt from the
  // first switch away from it).
  const void *stack_bottom_ = nullptr;
  size_t stack_size_ = 0;
  void *fake_stack_ = nullptr;  // ASan's, while switched away
  void *tsan_fiber_ = nullptr;
  bool own_tsan_fiber_ = false;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXEC_FIBER_H_
