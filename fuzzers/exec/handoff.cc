// Baton over the futex syscall (not pthread, which TSan would intercept).
#include "fuzzers/exec/handoff.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

// TSan's runtime, when linked; weak so that other builds need none.
extern "C" void __tsan_acquire(void *addr) __attribute__((weak));
extern "C" void __tsan_release(void *addr) __attribute__((weak));
extern "C" void __tsan_ignore_thread_begin() __attribute__((weak));
extern "C" void __tsan_ignore_thread_end() __attribute__((weak));
extern "C" void AnnotateIgnoreSyncBegin(const char *f, int l)
    __attribute__((weak));
extern "C" void AnnotateIgnoreSyncEnd(const char *f, int l)
    __attribute__((weak));

namespace nsfuzz {

void baton_wait(Baton *b) {
  for (;;) {
    // Acquire pairs with baton_post's release: the executor's own state is
    // handed over with the token (TSan does not see this, by design).
    if (b->word.exchange(0, std::memory_order_acquire) != 0) return;
    syscall(SYS_futex, &b->word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
  }
}

void baton_post(Baton *b) {
  b->word.store(1, std::memory_order_release);
  syscall(SYS_futex, &b->word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

void raw_write(int fd, const char *data, size_t size) {
  while (size > 0) {
    long n = syscall(SYS_write, fd, data, size);
    if (n <= 0) return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void tsan_release(void *addr) {
  if (__tsan_release) __tsan_release(addr);
}
void tsan_acquire(void *addr) {
  if (__tsan_acquire) __tsan_acquire(addr);
}

// Accesses (ThreadIgnoreBegin) and synchronization (ThreadIgnoreSyncBegin)
// are two separate switches in TSan's runtime: an acquire load inside a
// predicate would otherwise still add a happens-before edge.
TsanBlind::TsanBlind() {
  if (__tsan_ignore_thread_begin) {
    __tsan_ignore_thread_begin();
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  }
}
TsanBlind::~TsanBlind() {
  if (__tsan_ignore_thread_end) {
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    __tsan_ignore_thread_end();
  }
}

}  // namespace nsfuzz
