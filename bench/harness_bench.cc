// Benchmarks of the executor against baselines measured in the same run.
//
//  1. hand-off: the executor's cost per context switch vs. a raw futex
//     ping-pong between two threads (the floor of this design);
//  2. throughput: executions per second of the seed corpus on the
//     persistent executor vs. a naive harness that creates fresh threads
//     for every input and runs the same Programs.
// Prints a table per benchmark and writes CSV (harness_bench_<build>.csv)
// to the folder given as the first argument (default: the working
// directory). ci/bench runs it in the opt, ASan and TSan builds.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/nsproxy.h"
#include "core/rcu.h"
#include "core/world.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/exec/handoff.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz {
namespace {

using Clock = std::chrono::steady_clock;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr const char *kBuild = "asan";
#elif __has_feature(thread_sanitizer)
constexpr const char *kBuild = "tsan";
#else
constexpr const char *kBuild = "opt";
#endif
#else
constexpr const char *kBuild = "opt";
#endif

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Two threads pass one baton back and forth: 2 hand-offs per round trip.
double raw_futex_ns_per_handoff(int round_trips) {
  Baton a, b;
  std::thread peer([&] {
    for (int i = 0; i < round_trips; ++i) {
      baton_wait(&b);
      baton_post(&a);
    }
  });
  auto start = Clock::now();
  for (int i = 0; i < round_trips; ++i) {
    baton_post(&b);
    baton_wait(&a);
  }
  double s = seconds_since(start);
  peer.join();
  return s * 1e9 / (2.0 * round_trips);
}

// The same Program with a switch at every schedule point and with none:
// the difference per switch is what a context switch costs the executor.
double executor_ns_per_switch(Executor &e, int runs, uint64_t *switches) {
  Program p = parse_program(R"(# nsfuzz program v1
protocol task_lock_2014
threads 2
privileged T1 T2
T1: unshare(NEWNS|NEWUTS)
T2: unshare(NEWNS|NEWUTS)
T1: sethostname(h1)
T2: sethostname(h2)
T1: mount(m1)
T2: mount(m2)
)")
                  .program;
  Program busy = p;
  RunResult probe = e.run(p);
  busy.format = kFormatV1;  // a switch at every step: step switches
  for (uint32_t k = 1; k <= probe.points && busy.step_switches.size() < 64; ++k)
    busy.step_switches.push_back({k, static_cast<int>(k % 2) + 1});
  auto time = [&](const Program &q, uint64_t *sw) {
    auto start = Clock::now();
    for (int i = 0; i < runs; ++i) *sw = e.run(q).switches;
    return seconds_since(start) / runs;
  };
  uint64_t quiet_sw = 0;
  double quiet = time(p, &quiet_sw);
  double noisy = time(busy, switches);
  return (noisy - quiet) * 1e9 / static_cast<double>(*switches - quiet_sw);
}

// The naive harness: fresh threads for every input, each registered with
// liburcu, running its ops concurrently; a fresh world each time.
void naive_run(const Program &p) {
  WorldOptions o;
  o.protocol = p.protocol;
  World w(o);
  std::vector<task_struct *> tasks;
  for (int t = 1; t <= p.threads; ++t)
    tasks.push_back(w.spawn_task(p.privileged & (1u << t)));
  std::vector<std::thread> threads;
  for (int t = 1; t <= p.threads; ++t) {
    threads.emplace_back([&, t] {
      rcu_register_thread();
      current = tasks[t - 1];
      std::vector<std::string> out;
      std::string host;
      for (const Op &op : p.ops) {
        if (op.thread != t) continue;
        switch (op.kind) {
          case OpKind::clone: sys_clone(op.arg); break;
          case OpKind::unshare: sys_unshare(op.arg); break;
          case OpKind::daemonize: daemonize(); break;
          case OpKind::exit: do_exit_namespaces(); break;
          case OpKind::mounts_open: mounts_open(op.arg, &out); break;
          case OpKind::mountstats_open: mountstats_open(op.arg, &out); break;
          case OpKind::gethostname: gethostname_of(op.arg, &host); break;
          case OpKind::sethostname: sys_sethostname("h"); break;
          case OpKind::mount: sys_mount("m" + std::to_string(op.arg)); break;
          case OpKind::umount: sys_umount("m" + std::to_string(op.arg)); break;
          case OpKind::setns: sys_setns(op.arg); break;
        }
      }
      current = nullptr;
      rcu_unregister_thread();
    });
  }
  for (auto &th : threads) th.join();
  w.teardown();
}

std::vector<Program> seed_programs(const std::string &dir) {
  std::vector<Program> out;
  for (const auto &e : std::filesystem::directory_iterator(dir)) {
    LoadedProgram p = load_program(e.path());
    if (p.ok()) out.push_back(p.program);
  }
  return out;
}

}  // namespace
}  // namespace nsfuzz

int main(int argc, char **argv) {
  using namespace nsfuzz;
  std::string out_dir = argc > 1 ? argv[1] : ".";
  std::string corpus = argc > 2 ? argv[2] : "corpus/nsproxy_fuzzer";
  Executor e;

  double floor_ns = raw_futex_ns_per_handoff(100000);
  uint64_t sw = 0;
  double exec_ns = executor_ns_per_switch(e, 2000, &sw);
  std::printf("=== 1. hand-off cost per context switch\n");
  std::printf("%-34s %12s\n", "", "ns/switch");
  std::printf("%-34s %12.0f\n", "raw futex ping-pong (floor)", floor_ns);
  std::printf("%-34s %12.0f   (%llu switches a run)\n", "executor", exec_ns,
              static_cast<unsigned long long>(sw));
  std::printf("%-34s %12.2f\n", "ratio executor / floor", exec_ns / floor_ns);

  std::vector<Program> programs = seed_programs(corpus);
  if (programs.empty()) {
    std::fprintf(stderr, "harness_bench: no Programs in %s\n", corpus.c_str());
    return 1;
  }
  // Per fuzz target: the per-protocol targets force their protocol on the
  // seeds; nsproxy_fuzzer keeps each seed's own.
  struct Target {
    const char *name;
    std::optional<Protocol> protocol;
  };
  const Target targets[] = {
      {"nsproxy_task_lock_2007_fuzzer", Protocol::task_lock_2007},
      {"nsproxy_rcu_2007_fuzzer", Protocol::rcu_2007},
      {"nsproxy_task_lock_2014_fuzzer", Protocol::task_lock_2014},
      {"nsproxy_fuzzer", std::nullopt},
  };
  const int rounds = 200;
  std::printf("=== 2. throughput on the %zu seed Programs x %d (%s build)\n",
              programs.size(), rounds, kBuild);
  std::printf("%-32s %14s %14s %8s\n", "target", "naive execs/s", "executor",
              "ratio");
  FILE *csv =
      std::fopen((out_dir + "/harness_bench_" + kBuild + ".csv").c_str(), "w");
  if (csv) {
    std::fprintf(csv, "benchmark,build,variant,value,unit\n");
    std::fprintf(csv, "handoff,%s,raw_futex,%.1f,ns/switch\n", kBuild,
                 floor_ns);
    std::fprintf(csv, "handoff,%s,executor,%.1f,ns/switch\n", kBuild, exec_ns);
  }
  for (const Target &t : targets) {
    std::vector<Program> ps = programs;
    if (t.protocol)
      for (Program &p : ps) p.protocol = *t.protocol;
    auto start = Clock::now();
    for (int r = 0; r < rounds; ++r)
      for (const Program &p : ps) e.run(p);
    double persistent = rounds * ps.size() / seconds_since(start);
    start = Clock::now();
    for (int r = 0; r < rounds; ++r)
      for (const Program &p : ps) naive_run(p);
    double naive = rounds * ps.size() / seconds_since(start);
    std::printf("%-32s %14.0f %14.0f %8.2f\n", t.name, naive, persistent,
                persistent / naive);
    if (csv) {
      std::fprintf(csv, "throughput,%s,%s naive,%.1f,execs/s\n", kBuild, t.name,
                   naive);
      std::fprintf(csv, "throughput,%s,%s executor,%.1f,execs/s\n", kBuild,
                   t.name, persistent);
    }
  }
  if (csv) std::fclose(csv);
  return 0;
}
