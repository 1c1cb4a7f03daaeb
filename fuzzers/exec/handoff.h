// Baton: a futex word one thread waits on and another posts, invisible to
// TSan and to coverage (handoff.cc and executor.cc are built uninstrumented).
#ifndef NSFUZZ_FUZZERS_EXEC_HANDOFF_H_
#define NSFUZZ_FUZZERS_EXEC_HANDOFF_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace nsfuzz {

// One per waiting thread (each worker its own word: a post wakes exactly
// the thread it is meant for). Not copyable; lives as long as its thread.
struct Baton {
  std::atomic<uint32_t> word{0};
};

// Blocks until the baton is posted, then consumes the post.
void baton_wait(Baton *b);
void baton_post(Baton *b);

// write(2) through the raw syscall, which no sanitizer intercepts.
void raw_write(int fd, const char *data, size_t size);

// TSan's explicit happens-before, for the run boundaries only; no-ops in
// builds without TSan.
void tsan_release(void *addr);
void tsan_acquire(void *addr);

// While one lives, TSan sees neither the calling thread's memory accesses
// nor its synchronization (a no-op in builds without TSan). The executor
// reads the core's state (wait predicates, object names) only inside one:
// those reads are ordered by the token, which TSan is not told about, so
// seen they would be false races, and their acquires would be false edges.
// It covers whatever the reads call, instrumented or not.
class TsanBlind {
 public:
  TsanBlind();
  ~TsanBlind();
  TsanBlind(const TsanBlind &) = delete;
  TsanBlind &operator=(const TsanBlind &) = delete;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXEC_HANDOFF_H_
