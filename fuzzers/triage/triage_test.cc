// Triage stages over fake runners, signatures from real report shapes,
// and regression cases on disk.
#include "fuzzers/triage/triage.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/testing/testing_programs.h"
#include "fuzzers/triage/regression_case.h"

namespace nsfuzz {
namespace {

const char *kBig = R"(# nsfuzz program v2
protocol rcu_2007
threads 3
privileged T1 T2 T3
fail_alloc 9
priorities 77
preempt 30 0 0
T1: unshare(NEWNS|NEWUTS)
T2: mounts_open(T1)
T3: sethostname(h3)
T1: mount(m1)
T2: gethostname(T3)
T1: unshare(NEWNS)
T3: exit()
switch T1@ns_lock#4 -> T2
switch T2@rcu_read_lock#2 -> T3
switch T3@put_ns#1 -> T1
)";

// Fails when the Program still has T1's unshare(NEWNS...) and T2's
// mounts_open, and a switch to T2: a finding of known shape.
class FakeRunner : public Runner {
 public:
  int runs = 0;
  RunOutcome run(const Program &p) override {
    ++runs;
    bool unshare = false, reader = false, sw = false;
    for (const Op &op : p.ops) {
      unshare |= op.thread == 1 && op.kind == OpKind::unshare &&
                 (op.arg & CLONE_NEWNS);
      reader |= op.thread == 2 && op.kind == OpKind::mounts_open;
    }
    for (const Switch &s : p.switches) sw |= s.thread == 2;
    RunOutcome o;
    if (unshare && reader && sw)
      o.finding = Signature{"asan:heap-use-after-free", "get_task_ns", ""};
    return o;
  }
};

TEST(TriageTest, MinimizationIsOneMinimalAndKeepsTheSignature) {
  FakeRunner runner;
  Program big = testing::ParseOrFail(kBig);
  Signature sig{"asan:heap-use-after-free", "get_task_ns", ""};
  MinimizeStats stats;
  Program small = minimize_finding(runner, big, sig, &stats);
  EXPECT_EQ(print_program(small), R"(# nsfuzz program v2
protocol rcu_2007
threads 2
T1: unshare(NEWNS)
T2: mounts_open(T0)
switch T1@ns_lock#1 -> T2
)");  // the fake ignores mounts_open's target: the smallest task index stays
  EXPECT_TRUE(runner.run(small).finding);
  // 1-minimal: without any one op or switch, the finding is gone.
  for (size_t i = 0; i < small.ops.size(); ++i) {
    Program c = small;
    c.ops.erase(c.ops.begin() + i);
    EXPECT_FALSE(runner.run(c).finding) << "op " << i << " was not needed";
  }
  for (size_t i = 0; i < small.switches.size(); ++i) {
    Program c = small;
    c.switches.erase(c.switches.begin() + i);
    EXPECT_FALSE(runner.run(c).finding) << "switch " << i << " was not needed";
  }
  EXPECT_GT(stats.tries, 5u);
}

TEST(TriageTest, MinimizationStopsAtTheSignature) {
  // Another signature on smaller Programs must not be taken for this one.
  class Shifting : public Runner {
   public:
    RunOutcome run(const Program &p) override {
      RunOutcome o;
      o.finding = Signature{p.ops.size() >= 3 ? "kind:a" : "kind:b", "f", ""};
      return o;
    }
  } runner;
  Program small = minimize_finding(runner, testing::ParseOrFail(kBig),
                                   Signature{"kind:a", "f", ""}, nullptr);
  EXPECT_EQ(small.ops.size(), 3u);
}

class Flaky : public Runner {
 public:
  int n = 0;
  RunOutcome run(const Program &) override {
    RunOutcome o;
    if (++n % 2) o.finding = Signature{"tsan:data race", "a&b", ""};
    return o;
  }
};

TEST(TriageTest, AFindingThatDoesNotComeBackEveryTimeIsFlaky) {
  Flaky runner;
  TriageResult r = triage(runner, testing::ParseOrFail(kBig), 5, {});
  EXPECT_EQ(r.status, TriageStatus::flaky);
  EXPECT_EQ(r.confirmation.with_finding, 3);
  EXPECT_EQ(r.minimized,
            testing::ParseOrFail(kBig));  // not minimized, not to be written
}

TEST(TriageTest, NoFindingAndChangingSignatures) {
  class Clean : public Runner {
    RunOutcome run(const Program &) override { return {}; }
  } clean;
  EXPECT_EQ(confirm(clean, testing::ParseOrFail(kBig), 3).status,
            TriageStatus::no_finding);
  class Changing : public Runner {
    int n = 0;
    RunOutcome run(const Program &) override {
      RunOutcome o;
      o.finding = Signature{"k", std::to_string(n++ % 2), ""};
      return o;
    }
  } changing;
  EXPECT_EQ(confirm(changing, testing::ParseOrFail(kBig), 3).status,
            TriageStatus::flaky);
}

TEST(TriageTest, DedupMatchesEqualSignaturesOnly) {
  std::map<std::string, std::string> known = {
      {"case_a", "asan:heap-use-after-free @ get_task_ns>mounts_open"},
      {"case_b", "tsan:data race @ task_nsproxy&switch_task_namespaces"}};
  Signature same{"asan:heap-use-after-free", "get_task_ns>mounts_open", "x"};
  Signature other{"asan:heap-use-after-free", "get_nsproxy>sys_setns", "x"};
  EXPECT_EQ(dedup(same, known), "case_a");
  EXPECT_EQ(dedup(other, known), std::nullopt);
  FakeRunner runner;
  Program big = testing::ParseOrFail(kBig);
  known["case_c"] = "asan:heap-use-after-free @ get_task_ns";
  TriageResult r = triage(runner, big, 3, known);
  EXPECT_EQ(r.status, TriageStatus::duplicate);
  EXPECT_EQ(r.duplicate_of, "case_c");
}

TEST(SignatureTest, AsanReportTakesTheModelFrames) {
  auto s = signature_of(R"(T2:     rcu_dereference nsproxy#7
=================================================================
==2318==ERROR: AddressSanitizer: heap-use-after-free on address 0x5070 at pc 0x56 bp 0x7f sp 0x7f
READ of size 4 at 0x507000003824 thread T2
    #0 0x562a27f3e6b1 in std::__atomic_base<unsigned int>::load(std::memory_order) const /usr/include/c++/12/bits/atomic_base.h:488:9
    #1 0x562a27f3e6b2 in nsfuzz::ObjHeader::alive() const /proc/self/cwd/./core/lifetime.h:43:37
    #2 0x562a27f3e6b3 in nsfuzz::World::check_alive(nsfuzz::ObjHeader const*, char const*) /proc/self/cwd/core/world.cc:167:3
    #3 0x562a27f3e6b4 in nsfuzz::mnt_namespace* nsfuzz::(anonymous namespace)::get_task_ns<nsfuzz::mnt_namespace>(nsfuzz::task_struct*, nsfuzz::mnt_namespace* nsfuzz::nsproxy::*, void (*)(nsfuzz::mnt_namespace*)) /proc/self/cwd/core/nsproxy.cc:236:15
    #4 0x562a27f3e6b5 in nsfuzz::mounts_open(int, std::vector<std::string>*) /proc/self/cwd/core/nsproxy.cc:320:3
    #5 0x562a27f3e6b6 in nsfuzz::Executor::Impl::execute(nsfuzz::Op const&) /proc/self/cwd/fuzzers/executor.cc:128:40

SUMMARY: AddressSanitizer: heap-use-after-free /proc/self/cwd/./core/lifetime.h:43:37 in nsfuzz::ObjHeader::alive() const
)");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "asan:heap-use-after-free @ get_task_ns>mounts_open");
  EXPECT_EQ(s->summary.substr(0, 30), "SUMMARY: AddressSanitizer: hea");
}

TEST(SignatureTest, TsanRaceIsThePairOfAccessesInAFixedOrder) {
  const char *report = R"(WARNING: ThreadSanitizer: data race (pid=3522)
  Read of size 8 at 0x7b0c by thread T2:
    #0 nsfuzz::task_nsproxy(nsfuzz::task_struct*) /proc/self/cwd/core/nsproxy.cc:37:28 (replay+0x14e046)
    #1 nsfuzz::mounts_open(int, std::vector<std::string>*) /proc/self/cwd/core/nsproxy.cc:320:3 (replay+0x14e32e)

  Previous write of size 8 at 0x7b0c by thread T1:
    #0 nsfuzz::switch_task_namespaces(nsfuzz::task_struct*, nsfuzz::nsproxy*) /proc/self/cwd/core/nsproxy.cc:171:19 (replay+0x1) (BuildId: 6f4a79198)

SUMMARY: ThreadSanitizer: data race /proc/self/cwd/core/nsproxy.cc:37:28 in nsfuzz::task_nsproxy(nsfuzz::task_struct*)
)";
  auto s = signature_of(report);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "tsan:data race @ switch_task_namespaces&task_nsproxy");
}

TEST(SignatureTest, NsfuzzFindingsAndNone) {
  auto s = signature_of(
      "==nsfuzz== ERROR: leak on mnt_namespace in teardown: 1 still live\n"
      "SUMMARY: nsfuzz: leak mnt_namespace teardown\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "nsfuzz:leak @ mnt_namespace teardown");
  EXPECT_FALSE(signature_of("T1: unshare(NEWNS)\n=== 3 points: no finding\n"));
  EXPECT_EQ(bare_function_name("nsfuzz::ObjHeader::alive() const"), "alive");
  EXPECT_EQ(bare_function_name("operator delete(void*, unsigned long)"),
            "delete");
}

class CaseFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) / "cases";
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  RegressionCase Sample() {
    RegressionCase c;
    c.name = "free_without_grace_period";
    c.bug = "free_without_grace_period";
    c.protocol = "rcu_2007";
    c.sanitizer = "asan";
    c.signature = "asan:heap-use-after-free @ get_task_ns>mounts_open";
    c.summary = "SUMMARY: AddressSanitizer: heap-use-after-free";
    c.stats["raw"] = "83 bytes";
    c.program = testing::ParseOrFail(kBig);
    c.report = "the report\n";
    return c;
  }
  std::filesystem::path root_;
};

TEST_F(CaseFilesTest, WriteThenReadIsTheSameAndNeverOverwrites) {
  RegressionCase c = Sample();
  ASSERT_EQ(write_case(root_, c), "");
  RegressionCase back;
  std::string err;
  ASSERT_TRUE(read_case((root_ / c.name).string(), &back, &err)) << err;
  EXPECT_EQ(back.signature, c.signature);
  EXPECT_EQ(back.program, c.program);
  EXPECT_EQ(back.stats, c.stats);
  // A second write of the same name fails and leaves the first intact.
  RegressionCase other = c;
  other.signature = "changed";
  std::string e2 = write_case(root_, other);
  EXPECT_NE(e2.find("exists already"), std::string::npos) << e2;
  ASSERT_TRUE(read_case((root_ / c.name).string(), &back, &err));
  EXPECT_EQ(back.signature, c.signature);
  EXPECT_EQ(list_cases(root_).size(), 1u);  // no temporary left behind
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root_),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_NE(write_case(root_,
                       [&] {
                         auto x = c;
                         x.name = "../evil";
                         return x;
                       }()),
            "");
}

// A re-recorded case replaces the folder whole, under its own name.
TEST_F(CaseFilesTest, ReplaceRewritesTheFolderInPlace) {
  RegressionCase c = Sample();
  ASSERT_EQ(write_case(root_, c), "");
  RegressionCase changed = c;
  changed.program.switches.clear();
  changed.stats["minimized"] = "other";
  changed.report = "another report\n";
  std::string dir = (root_ / c.name).string() + "/";
  ASSERT_EQ(replace_case(dir, changed), "");
  RegressionCase back;
  std::string err;
  ASSERT_TRUE(read_case(dir, &back, &err)) << err;
  EXPECT_EQ(back.program, changed.program);
  EXPECT_EQ(back.stats, changed.stats);
  EXPECT_EQ(back.report, changed.report);
  EXPECT_EQ(list_cases(root_).size(), 1u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root_),
                          std::filesystem::directory_iterator()),
            1)
      << "no temporary left behind";
  EXPECT_NE(replace_case((root_ / "missing").string(), c), "");
}

TEST_F(CaseFilesTest, MalformedCasesGiveOneLineErrors) {
  ASSERT_EQ(write_case(root_, Sample()), "");
  auto dir = root_ / "free_without_grace_period";
  auto rewrite = [&](const char *file, const std::string &text) {
    std::ofstream(dir / file, std::ios::trunc) << text;
  };
  RegressionCase out;
  std::string err;
  rewrite("case.txt", "# nsfuzz regression case v1\nname: x\n");
  EXPECT_FALSE(read_case(dir.string(), &out, &err));
  EXPECT_NE(err.find("missing 'bug'"), std::string::npos) << err;
  rewrite("case.txt", "garbage\n");
  EXPECT_FALSE(read_case(dir.string(), &out, &err));
  EXPECT_NE(err.find(":1: expected"), std::string::npos) << err;
  std::filesystem::remove_all(root_);
  ASSERT_EQ(write_case(root_.string(), Sample()), "")
      << "the root is created when missing";
  rewrite("program.txt", "# nsfuzz program v1\nprotocol nope\n");
  EXPECT_FALSE(read_case(dir.string(), &out, &err));
  EXPECT_NE(err.find("program.txt"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  rewrite("program.txt", print_program(Sample().program));
  rewrite("input.bin", "\x01\x02");
  EXPECT_FALSE(read_case(dir.string(), &out, &err));
  EXPECT_NE(err.find("does not decode to program.txt"), std::string::npos)
      << err;
  EXPECT_FALSE(read_case((root_ / "missing").string(), &out, &err));
  EXPECT_NE(err.find("cannot read"), std::string::npos) << err;
}

// What an interrupted writer leaves is no case: temporaries (dot names)
// and folders without all four files are skipped, and the next write sweeps
// the temporaries of writers that are gone.
TEST_F(CaseFilesTest, ReadersSkipTemporariesAndIncompleteFolders) {
  ASSERT_EQ(write_case(root_, Sample()), "");
  auto full = root_ / "free_without_grace_period";
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  auto stale = root_ / (".tmp-x-" + std::to_string(gone));
  std::filesystem::copy(full, stale);  // complete, but a temporary
  std::filesystem::create_directories(root_ / "half");
  std::filesystem::copy(full / "case.txt", root_ / "half" / "case.txt");
  EXPECT_EQ(list_cases(root_), std::vector<std::string>{full.string()});
  RegressionCase other = Sample();
  other.name = "other";
  ASSERT_EQ(write_case(root_, other), "");
  EXPECT_FALSE(std::filesystem::exists(stale)) << "swept by the next write";
  EXPECT_EQ(list_cases(root_).size(), 2u);
}

TEST(CaseName, OnlyPlainNames) {
  for (const char *ok : {"free_without_grace_period", "rcu_2007-hang", "a-2"})
    EXPECT_TRUE(valid_case_name(ok)) << ok;
  for (const std::string &bad : std::vector<std::string>{
           "", "../x", "a/b", ".hidden", "a.b", "-x", "Upper", "a b",
           std::string("a\0b", 3), "a\xff", "a\n", std::string(65, 'a')})
    EXPECT_FALSE(valid_case_name(bad)) << bad;
}

TEST_F(CaseFilesTest, FreeNameCountsUpFromTwo) {
  EXPECT_EQ(free_case_name(root_, "bug"), "bug");
  std::filesystem::create_directories(root_ / "bug");
  EXPECT_EQ(free_case_name(root_, "bug"), "bug-2");
  std::filesystem::create_directories(root_ / "bug-2");
  EXPECT_EQ(free_case_name(root_, "bug"), "bug-3");
}

}  // namespace
}  // namespace nsfuzz

namespace nsfuzz {
namespace {

// The schedule a run took, from the runner's decisions: preemptions and
// explicit switches become anchored switches, blocks and finishes do not.
TEST(TriageTest, MakeScheduleExplicitWritesThePreemptionsAsAnchors) {
  class Recording : public Runner {
   public:
    std::vector<Program> seen;
    RunOutcome run(const Program &p) override {
      seen.push_back(p);
      RunOutcome o;
      o.finding = Signature{"asan:heap-use-after-free", "f", ""};
      o.schedule.decisions = {
          {{1, Site::switch_put_old, 1}, 2, Reason::preemption},
          {{2, Site::task_lock_contended, 1}, 1, Reason::blocked},
          {{1, Site::put_ns, 3}, 2, Reason::finished},
      };
      return o;
    }
  } runner;
  Program p = testing::ParseOrFail(R"(# nsfuzz program v2
protocol rcu_2007
threads 2
priorities 5
preempt 9 0 0
T1: unshare(NEWNS)
T2: mounts_open(T1)
)");
  Program c = make_schedule_explicit(
      runner, p, Signature{"asan:heap-use-after-free", "f", ""});
  EXPECT_EQ(print_program(c), R"(# nsfuzz program v2
protocol rcu_2007
threads 2
priorities 5
T1: unshare(NEWNS)
T2: mounts_open(T1)
switch T1@switch_put_old#1 -> T2
)");
  ASSERT_EQ(runner.seen.size(), 2u);  // the run, then the check of `c`
  EXPECT_EQ(runner.seen[1], c);
}

}  // namespace
}  // namespace nsfuzz
