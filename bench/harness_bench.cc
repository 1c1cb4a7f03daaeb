// Benchmarks of the executor against baselines measured in the same run.
//
//  1. hand-off: the executor's cost per context switch, on each backend
//     (worker threads, fibers), vs. a raw futex ping-pong between two
//     threads (the floor of the thread backend);
//  2. throughput: executions per second of the seed corpus on the
//     persistent executor, on each backend, vs. a naive harness that
//     creates fresh threads for every input and runs the same Programs;
//  3. the floor of throughput: the same Programs' operations run one after
//     another on this one thread, with no hand-off and no scheduler, vs.
//     the executor on the same Programs: how far determinism is from the
//     limit.
// Prints a table per benchmark and writes CSV (harness_bench_<build>.csv)
// to the folder given as the first argument (default: the working
// directory). ci/bench runs it in the opt, ASan and TSan builds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/nsproxy.h"
#include "core/rcu.h"
#include "core/sched.h"
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

// A fresh world as the executor sets one up: its protocol and fault
// injection, one task per Program thread forked from init.
WorldOptions world_options(const Program &p) {
  WorldOptions o;
  o.protocol = p.protocol;
  o.fail_alloc = p.fail_alloc;
  return o;
}
std::vector<task_struct *> spawn_tasks(World &w, const Program &p) {
  std::vector<task_struct *> tasks;
  for (int t = 1; t <= p.threads; ++t)
    tasks.push_back(w.spawn_task(p.privileged & (1u << t)));
  return tasks;
}

// The naive harness: fresh threads for every input, each registered with
// liburcu, running its ops concurrently; a fresh world each time.
void naive_run(const Program &p) {
  World w(world_options(p));
  std::vector<task_struct *> tasks = spawn_tasks(w, p);
  std::vector<std::thread> threads;
  for (int t = 1; t <= p.threads; ++t) {
    threads.emplace_back([&, t] {
      rcu_register_thread();
      current = tasks[t - 1];
      for (const Op &op : p.ops)
        if (op.thread == t) execute_op(op);
      current = nullptr;
      rcu_unregister_thread();
    });
  }
  for (auto &th : threads) th.join();
  w.teardown();
}

// The floor: the executor's run_in_program_order (executor.h).
void floor_run(const Program &p) {
  run_in_program_order(p);
}

// floor_run on one thread must never wait: each op runs to its end, so
// nothing another task holds (a task_lock, a read-side critical section)
// outlives the op that took it. With no scheduler a wait would spin forever
// (sched_block yields until ready), so each Program first runs once under
// this scheduler, which ignores points and stops the benchmark with an
// error at a wait that is not over at once: only a core that leaves a lock
// or a reader behind at the end of an op (a bug) gets there.
class FloorCheck final : public Scheduler {
 public:
  explicit FloorCheck(const std::string &name) : name_(name) {}
  void point(Site, const void *) override {}
  void block(Site site, const void *, WaitFor w) override {
    if (w.ready(w.arg)) return;
    std::fprintf(stderr,
                 "harness_bench: %s: the floor (one thread, ops in Program "
                 "order) would wait forever at %s: expected no wait\n",
                 name_.c_str(), std::string(site_name(site)).c_str());
    std::exit(1);
  }

 private:
  std::string name_;
};

void check_floor(const std::string &name, const Program &p) {
  FloorCheck check(name);
  install_scheduler(&check);
  floor_run(p);
  install_scheduler(nullptr);
}

struct Seed {
  std::string name;
  Program program;
};

// The Programs of `dir`, in file name order.
std::vector<Seed> seed_programs(const std::string &dir) {
  std::vector<std::filesystem::path> files;
  for (const auto &e : std::filesystem::directory_iterator(dir))
    files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Seed> out;
  for (const auto &f : files) {
    LoadedProgram p = load_program(f);
    if (p.ok()) out.push_back({f.filename(), p.program});
  }
  return out;
}

}  // namespace
}  // namespace nsfuzz

int main(int argc, char **argv) {
  using namespace nsfuzz;
  std::string out_dir = argc > 1 ? argv[1] : ".";
  std::string corpus = argc > 2 ? argv[2] : "corpus/nsproxy_fuzzer";
  // "executor" is the default backend (fibers where available); the
  // thread backend, the reference, beside it.
  Executor e, threads(Backend::threads);

  double floor_ns = raw_futex_ns_per_handoff(100000);
  uint64_t sw = 0;
  double exec_ns = executor_ns_per_switch(e, 2000, &sw);
  double threads_ns = executor_ns_per_switch(threads, 2000, &sw);
  std::printf("=== 1. hand-off cost per context switch\n");
  std::printf("%-34s %12s\n", "", "ns/switch");
  std::printf("%-34s %12.0f\n", "raw futex ping-pong (floor)", floor_ns);
  std::printf("%-34s %12.0f   (%llu switches a run)\n", "executor, threads",
              threads_ns, static_cast<unsigned long long>(sw));
  std::printf("%-34s %12.0f\n",
              (std::string("executor, ") + backend_name(e.backend())).c_str(),
              exec_ns);
  std::printf("%-34s %12.2f\n", "ratio threads / default backend",
              threads_ns / exec_ns);

  std::vector<Seed> seeds = seed_programs(corpus);
  std::vector<Program> programs;
  for (const Seed &s : seeds) programs.push_back(s.program);
  if (programs.empty()) {
    std::fprintf(stderr, "harness_bench: no Programs in %s\n", corpus.c_str());
    return 1;
  }
  // Per fuzz target: the per-protocol targets force their protocol on the
  // seeds; nsproxy_fuzzer keeps each seed's own.
  struct Target {
    std::string name;
    std::optional<Protocol> protocol;
  };
  std::vector<Target> targets;
  for (Protocol p : kAllProtocols)
    targets.push_back(
        {"nsproxy_" + std::string(protocol_name(p)) + "_fuzzer", p});
  targets.push_back({"nsproxy_fuzzer", std::nullopt});
  const int rounds = 200, kFloorRounds = 2000;
  std::printf(
      "=== 2. throughput on the %zu seed Programs x %d (x %d on %s) (%s "
      "build)\n",
      programs.size(), rounds, kFloorRounds, backend_name(e.backend()), kBuild);
  std::printf("%-32s %14s %14s %14s %8s %8s\n", "target", "naive execs/s",
              "threads", backend_name(e.backend()), "/naive", "/threads");
  FILE *csv =
      std::fopen((out_dir + "/harness_bench_" + kBuild + ".csv").c_str(), "w");
  if (csv) {
    std::fprintf(csv, "benchmark,build,variant,value,unit\n");
    std::fprintf(csv, "handoff,%s,raw_futex,%.1f,ns/switch\n", kBuild,
                 floor_ns);
    std::fprintf(csv, "handoff,%s,executor,%.1f,ns/switch\n", kBuild, exec_ns);
    std::fprintf(csv, "handoff,%s,executor_threads,%.1f,ns/switch\n", kBuild,
                 threads_ns);
  }
  struct Floor {
    double one_thread, executor, threads;
  };
  std::vector<Floor> floors;
  for (const Target &t : targets) {
    std::vector<Program> ps = programs;
    if (t.protocol)
      for (Program &p : ps) p.protocol = *t.protocol;
    for (size_t i = 0; i < ps.size(); ++i) check_floor(seeds[i].name, ps[i]);
    // The default backend and the floor, in turns of kFloorRounds / 10
    // rounds each: runs of tens of ms under ASan swing by half from one
    // run of this benchmark to the next (the machine, the allocator's
    // state), and taking turns gives both the same conditions.
    double on_default_s = 0, floor_s = 0;
    for (int turn = 0; turn < 10; ++turn) {
      auto start = Clock::now();
      for (int r = 0; r < kFloorRounds / 10; ++r)
        for (const Program &p : ps) e.run(p);
      on_default_s += seconds_since(start);
      start = Clock::now();
      for (int r = 0; r < kFloorRounds / 10; ++r)
        for (const Program &p : ps) floor_run(p);
      floor_s += seconds_since(start);
    }
    double persistent = kFloorRounds * ps.size() / on_default_s;
    double one_thread = kFloorRounds * ps.size() / floor_s;
    auto start = Clock::now();
    for (int r = 0; r < rounds; ++r)
      for (const Program &p : ps) threads.run(p);
    double on_threads = rounds * ps.size() / seconds_since(start);
    start = Clock::now();
    for (int r = 0; r < rounds; ++r)
      for (const Program &p : ps) naive_run(p);
    double naive = rounds * ps.size() / seconds_since(start);
    floors.push_back({one_thread, persistent, on_threads});
    std::printf("%-32s %14.0f %14.0f %14.0f %8.2f %8.2f\n", t.name.c_str(),
                naive, on_threads, persistent, persistent / naive,
                persistent / on_threads);
    if (csv) {
      std::fprintf(csv, "throughput,%s,%s naive,%.1f,execs/s\n", kBuild,
                   t.name.c_str(), naive);
      std::fprintf(csv, "throughput,%s,%s executor,%.1f,execs/s\n", kBuild,
                   t.name.c_str(), persistent);
      std::fprintf(csv, "throughput,%s,%s executor_threads,%.1f,execs/s\n",
                   kBuild, t.name.c_str(), on_threads);
      std::fprintf(csv, "floor,%s,%s one_thread,%.1f,execs/s\n", kBuild,
                   t.name.c_str(), one_thread);
      std::fprintf(csv, "floor,%s,%s executor,%.1f,execs/s\n", kBuild,
                   t.name.c_str(), persistent);
    }
  }
  std::printf(
      "=== 3. floor: the same Programs' ops in Program order on one thread, "
      "no hand-off, x %d (%s build)\n",
      kFloorRounds, kBuild);
  std::printf("%-32s %14s %14s %14s %8s %8s\n", "target", "floor execs/s",
              "threads", backend_name(e.backend()), "thr/floor", "def/floor");
  for (size_t i = 0; i < floors.size(); ++i)
    std::printf("%-32s %14.0f %14.0f %14.0f %8.2f %8.2f\n",
                targets[i].name.c_str(), floors[i].one_thread,
                floors[i].threads, floors[i].executor,
                floors[i].threads / floors[i].one_thread,
                floors[i].executor / floors[i].one_thread);
  if (csv) std::fclose(csv);
  return 0;
}
