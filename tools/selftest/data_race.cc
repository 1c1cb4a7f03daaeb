// Deliberately racy: two threads write one int without synchronization.
// Under --config=tsan this test must fail with "ThreadSanitizer: data race".
#include <cstdio>
#include <thread>

namespace {
int shared_counter;  // No lock, no atomic: the race.
}

int main() {
  std::thread a([] {
    for (int i = 0; i < 1000; ++i) ++shared_counter;
  });
  std::thread b([] {
    for (int i = 0; i < 1000; ++i) ++shared_counter;
  });
  a.join();
  b.join();
  std::printf("counter=%d\n", shared_counter);
  return 0;
}
