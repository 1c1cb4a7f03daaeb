// Fibers over a hand-written register switch (x86-64 System V).
#include "fuzzers/exec/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// The sanitizers' fiber interfaces; weak, so that builds without a
// sanitizer (or with the other one) need none.
extern "C" {
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
                                    size_t size) __attribute__((weak));
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
                                     const void **bottom_old, size_t *size_old)
    __attribute__((weak));
void __asan_unpoison_memory_region(const volatile void *addr, size_t size)
    __attribute__((weak));
void *__tsan_get_current_fiber() __attribute__((weak));
void *__tsan_create_fiber(unsigned flags) __attribute__((weak));
void __tsan_destroy_fiber(void *fiber) __attribute__((weak));
void __tsan_switch_to_fiber(void *fiber, unsigned flags) __attribute__((weak));
}

namespace nsfuzz {
namespace {
constexpr unsigned kTsanNoSync = 1;  // __tsan_switch_to_fiber_no_sync
// The fiber a switch leaves, for the one it enters to tell ASan's answer
// (the stack it came from) to: the thread's own stack is learnt this way.
thread_local Fiber *leaving = nullptr;
}  // namespace
}  // namespace nsfuzz

#if defined(__x86_64__)

// nsfuzz_fiber_swap(void **save_sp, void *load_sp): pushes the callee-saved
// registers, the SSE and x87 control words, saves the stack pointer, loads
// the other one, and pops that fiber's. nsfuzz_fiber_trampoline is where a
// new fiber's first swap returns to: entry(arg) from r13 and r12.
asm(R"(
  .pushsection .text
  .p2align 4
  .globl nsfuzz_fiber_swap
  .hidden nsfuzz_fiber_swap
  .type nsfuzz_fiber_swap, @function
nsfuzz_fiber_swap:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size nsfuzz_fiber_swap, .-nsfuzz_fiber_swap

  .p2align 4
  .type nsfuzz_fiber_trampoline, @function
nsfuzz_fiber_trampoline:
  movq %r12, %rdi
  callq *%r13
  ud2
  .size nsfuzz_fiber_trampoline, .-nsfuzz_fiber_trampoline
  .popsection
)");

extern "C" void nsfuzz_fiber_swap(void **save_sp, void *load_sp);
extern "C" char nsfuzz_fiber_trampoline[];

namespace nsfuzz {

bool fibers_available() {
  return true;
}

// The frame a new fiber's first swap pops: control words, r15..rbp, and
// the return address (the trampoline), which leaves the stack 16-aligned.
static void *initial_frame(char *top, void (*start)(Fiber *), Fiber *self) {
  auto *f = reinterpret_cast<uint64_t *>(top - 16 - 64);
  std::memset(f, 0, 64);
  const uint32_t mxcsr = 0x1f80;  // the ABI's defaults
  const uint16_t fpucw = 0x037f;
  std::memcpy(&f[0], &mxcsr, sizeof mxcsr);
  std::memcpy(reinterpret_cast<char *>(&f[0]) + 4, &fpucw, sizeof fpucw);
  f[3] = reinterpret_cast<uint64_t>(start);  // r13
  f[4] = reinterpret_cast<uint64_t>(self);   // r12
  f[7] = reinterpret_cast<uint64_t>(nsfuzz_fiber_trampoline);
  return f;
}

#else

extern "C" void nsfuzz_fiber_swap(void **, void *) {
  std::abort();
}

namespace nsfuzz {

bool fibers_available() {
  return false;
}

static void *initial_frame(char *, void (*)(Fiber *), Fiber *) {
  std::fprintf(stderr, "nsfuzz: fibers need x86-64; use the thread backend\n");
  std::abort();
}

#endif

Fiber::Fiber() {
  if (__tsan_get_current_fiber) tsan_fiber_ = __tsan_get_current_fiber();
}

Fiber::Fiber(Entry entry, void *arg, size_t stack_size)
    : entry_(entry), arg_(arg) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  map_size_ = (stack_size + page - 1) / page * page + page;
  void *m =
      mmap(nullptr, map_size_, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (m == MAP_FAILED) {
    std::perror("nsfuzz: mmap of a fiber stack");
    std::abort();
  }
  map_ = static_cast<char *>(m);
  mprotect(map_, page, PROT_NONE);  // an overflow faults, not corrupts
  stack_bottom_ = map_ + page;
  stack_size_ = map_size_ - page;
  sp_ = initial_frame(map_ + map_size_, &Fiber::start, this);
  if (__tsan_create_fiber) {
    tsan_fiber_ = __tsan_create_fiber(0);
    own_tsan_fiber_ = true;
  }
}

Fiber::~Fiber() {
  if (own_tsan_fiber_) __tsan_destroy_fiber(tsan_fiber_);
  if (!map_) return;
  // Frames left on the stack (a run abandoned mid-way) keep their ASan
  // poison: clear it, or the next mapping at this address inherits it.
  if (__asan_unpoison_memory_region)
    __asan_unpoison_memory_region(stack_bottom_, stack_size_);
  munmap(map_, map_size_);
}

void Fiber::start(Fiber *self) {
  self->arrive();
  self->entry_(self->arg_);
  std::fprintf(stderr, "nsfuzz: a fiber's entry returned\n");
  std::abort();
}

void Fiber::leave(Fiber &to, bool sync, bool for_good) {
  leaving = this;
  if (__sanitizer_start_switch_fiber)
    __sanitizer_start_switch_fiber(for_good ? nullptr : &fake_stack_,
                                   to.stack_bottom_, to.stack_size_);
  if (__tsan_switch_to_fiber)
    __tsan_switch_to_fiber(to.tsan_fiber_, sync ? 0 : kTsanNoSync);
  nsfuzz_fiber_swap(&sp_, to.sp_);
}

void Fiber::arrive() {
  if (!__sanitizer_finish_switch_fiber) return;
  const void *bottom = nullptr;
  size_t size = 0;
  __sanitizer_finish_switch_fiber(fake_stack_, &bottom, &size);
  fake_stack_ = nullptr;
  if (leaving && !leaving->map_) {  // the thread's own stack
    leaving->stack_bottom_ = bottom;
    leaving->stack_size_ = size;
  }
}

void Fiber::switch_to(Fiber &to, bool sync) {
  leave(to, sync, false);
  arrive();
}

void Fiber::exit_to(Fiber &to, bool sync) {
  leave(to, sync, true);
  std::abort();  // never resumed
}

}  // namespace nsfuzz
