// The stress run's threads.
#include "core/testing/stress.h"

#include <string>
#include <thread>
#include <vector>

#include "core/nsproxy.h"
#include "core/rcu.h"
#include "core/uapi.h"

namespace nsfuzz::testing {
namespace {

uint64_t splitmix64(uint64_t &s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void stress_thread(task_struct *self, int nr_threads, int iterations,
                   uint64_t seed) {
  rcu_register_thread();
  current = self;
  std::vector<std::string> out;
  std::string host;
  const uint32_t kFlags[] = {CLONE_NEWNS, CLONE_NEWUTS,
                             CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC,
                             CLONE_NEWNET};
  for (int i = 0; i < iterations; ++i) {
    uint64_t r = splitmix64(seed);
    int other = 1 + static_cast<int>((r >> 8) % nr_threads);
    switch (r % 10) {
      case 0: sys_unshare(kFlags[(r >> 16) % 4]); break;
      case 1: sys_setns(other); break;
      case 2: daemonize(); break;
      case 3: sys_sethostname("h" + std::to_string(i)); break;
      case 4: sys_mount("m" + std::to_string(i % 4)); break;
      case 5: sys_umount("m" + std::to_string(i % 4)); break;
      case 6: gethostname_of(other, &host); break;
      case 7: mountstats_open(other, &out); break;
      default: mounts_open(other, &out); break;
    }
  }
  do_exit_namespaces();
  current = nullptr;
  rcu_unregister_thread();
}

}  // namespace

void run_stress(World &w, const StressOptions &opts) {
  std::vector<task_struct *> tasks;
  for (int t = 0; t < opts.threads; ++t) tasks.push_back(w.spawn_task(true));
  std::vector<std::thread> threads;
  for (int t = 0; t < opts.threads; ++t)
    threads.emplace_back(stress_thread, tasks[t], opts.threads, opts.iterations,
                         opts.seed * 1000 + t);
  for (auto &th : threads) th.join();
}

}  // namespace nsfuzz::testing
