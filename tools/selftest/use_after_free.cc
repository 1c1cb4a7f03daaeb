// Deliberately reads freed memory. Under --config=asan this test must fail
// with "AddressSanitizer: heap-use-after-free".
#include <cstdio>

int main() {
  int *p = new int(42);
  delete p;
  volatile int v = *p;  // The use after free.
  std::printf("%d\n", v);
  return 0;
}
