// Tests of the op table, validity and the text form.
#include "fuzzers/program/program_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/uapi.h"
#include "fuzzers/mutate/mutator.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/validate.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

constexpr char kExample[] =
    "# nsfuzz program v1\n"
    "protocol rcu_2007\n"
    "threads 2\n"
    "privileged T1 T2\n"
    "fail_alloc 3\n"
    "policy_seed 7\n"
    "T1: unshare(NEWNS|NEWUTS)\n"
    "T2: mounts_open(T1)\n"
    "T2: sethostname(h3)\n"
    "T1: mount(m0)\n"
    "T1: exit()\n"
    "switch @4 -> T2\n"
    "switch @9 -> T1\n";

Program example() {
  Program p;
  p.format = kFormatV1;
  p.protocol = Protocol::rcu_2007;
  p.threads = 2;
  p.privileged = 0b110;
  p.fail_alloc = 3;
  p.policy = Policy::unpack(7);
  p.ops = {{1, OpKind::unshare, CLONE_NEWNS | CLONE_NEWUTS},
           {2, OpKind::mounts_open, 1},
           {2, OpKind::sethostname, 3},
           {1, OpKind::mount, 0},
           {1, OpKind::exit, 0}};
  p.step_switches = {{4, 2}, {9, 1}};
  return p;
}

constexpr char kExampleV2[] =
    "# nsfuzz program v2\n"
    "protocol task_lock_2014\n"
    "threads 3\n"
    "priorities 7\n"
    "preempt 0 12 63\n"
    "T1: unshare(NEWNS)\n"
    "T3: mounts_open(T1)\n"
    "switch T1@switch_put_old#1 -> T3\n"
    "switch T3@task_lock#12 -> T2\n";

Program example_v2() {
  Program p;
  p.protocol = Protocol::task_lock_2014;
  p.threads = 3;
  p.policy.priorities = 7;
  p.policy.preempt[1] = 12;
  p.policy.preempt[2] = 63;
  p.ops = {{1, OpKind::unshare, CLONE_NEWNS}, {3, OpKind::mounts_open, 1}};
  p.switches = {{{1, Site::switch_put_old, 1}, 3},
                {{3, Site::task_lock, 12}, 2}};
  return p;
}

TEST(OpTable, NamesRoundTrip) {
  for (int i = 0; i < kNumOpKinds; ++i) {
    OpKind k = static_cast<OpKind>(i);
    EXPECT_EQ(op_by_name(op_name(k)), k);
    EXPECT_FALSE(op_info(k).doc.empty());
  }
  EXPECT_EQ(op_by_name("nope"), std::nullopt);
  EXPECT_EQ(arg_kind(OpKind::clone), ArgKind::FLAGS);
  EXPECT_EQ(arg_kind(OpKind::setns), ArgKind::TASK);
  EXPECT_EQ(arg_kind(OpKind::umount), ArgKind::NAME);
  EXPECT_EQ(arg_kind(OpKind::exit), ArgKind::NONE);
}

TEST(ProgramText, PrintsExample) {
  EXPECT_EQ(print_program(example()), kExample);
}

TEST(ProgramText, PrintsDefaults) {
  EXPECT_EQ(print_program(Program{}),
            "# nsfuzz program v2\nprotocol rcu_2007\nthreads 2\n");
}

TEST(ProgramText, V2PrintsAndParsesAnchoredSwitches) {
  EXPECT_EQ(print_program(example_v2()), kExampleV2);
  ParseResult r = parse_program(kExampleV2);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program, example_v2());
  // A '#' inside a word is part of the anchor; after a blank, a comment.
  r = parse_program(
      "# nsfuzz program v2\nT1: exit()\nswitch T1@put_ns#2->T2 # late\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program.switches[0].at, (Anchor{1, Site::put_ns, 2}));
}

// Change points at conflicting points: "preempt conflicts A B C".
TEST(ProgramText, V2ConflictChangePointsRoundTrip) {
  const char *text =
      "# nsfuzz program v2\nprotocol rcu_2007\nthreads 2\npriorities 9\n"
      "preempt conflicts 3 5 0\nT1: exit()\n";
  ParseResult r = parse_program(text);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.program.policy.conflicts);
  EXPECT_EQ(r.program.policy.preempt[1], 5);
  EXPECT_EQ(print_program(r.program), text);
  r = parse_program("# nsfuzz program v2\npreempt 3 5 0\nT1: exit()\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.program.policy.conflicts);
  EXPECT_FALSE(
      parse_program("# nsfuzz program v2\npreempt conflicts 3\n").ok());
  // The flag alone (bytes can carry it: decoder.h) is printed and read back.
  Program flag_only = r.program;
  flag_only.policy = Policy{};
  flag_only.policy.conflicts = true;
  ParseResult back = parse_program(print_program(flag_only));
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.program, flag_only);
  // v1 has no such thing.
  Program v1 = r.program;
  v1.format = kFormatV1;
  v1.policy.conflicts = true;
  std::string why;
  EXPECT_FALSE(is_valid(v1, &why));
  EXPECT_NE(why.find("v2"), std::string::npos) << why;
}

TEST(ProgramText, ParsesExample) {
  ParseResult r = parse_program(kExample);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program, example());
}

TEST(ProgramText, ParsesLooseSpacingCommentsAndCrLf) {
  ParseResult r = parse_program(
      "# nsfuzz program v1\r\n"
      "\r\n  # a comment\n"
      "policy_seed 7   # trailing comment\r\n"
      "fail_alloc 3\n"
      "threads   2\n"
      "privileged T2 T1\n"
      "\n"
      "T1 :unshare( NEWUTS|NEWNS )\n"
      "T2:mounts_open(T1)\n"
      "T2: sethostname(h3)\n"
      "\tT1: mount(m0)\n"
      "T1: exit( )\n"
      "switch @4->T2\n"
      "switch@ 9 -> T1\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program, example());
}

TEST(ProgramText, TheFirstLineAloneIsTheDefaultProgram) {
  ParseResult r = parse_program("# nsfuzz program v2\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program, Program{});
}

// The first line names the format; without it, or with one this build does
// not know, nothing is guessed.
TEST(ProgramText, RejectsAMissingOrUnknownFormatLine) {
  EXPECT_EQ(parse_program("").error,
            "line 1: expected '# nsfuzz program v2' first, got ''");
  EXPECT_EQ(parse_program("protocol rcu_2007\nT1: exit()\n").error,
            "line 1: expected '# nsfuzz program v2' first, got 'protocol "
            "rcu_2007'");
  EXPECT_EQ(parse_program("# nsfuzz program v9\nT1: exit()\n").error,
            "line 1: unsupported format 'v9' (this build reads v1 and v2)");
}

// One reader for every input: text when it starts like text (and then it
// must parse), bytes otherwise.
TEST(ProgramText, ReadInputIsOneWayForEveryTool) {
  auto read = [](const std::string &s) {
    return read_input(reinterpret_cast<const uint8_t *>(s.data()), s.size());
  };
  InputForm text = read(kExampleV2);
  ASSERT_TRUE(text.ok()) << text.error;
  EXPECT_TRUE(text.is_text);
  EXPECT_EQ(text.program, example_v2());
  InputForm bad = read("# nsfuzz program v2\nT1: nope()\n");
  EXPECT_EQ(bad.error, "line 2: unknown operation 'nope'");
  InputForm headless = read("protocol rcu_2007\nT1: exit()\n");
  ASSERT_TRUE(headless.ok());
  EXPECT_FALSE(headless.is_text);
  EXPECT_NE(headless.note.find("must start with"), std::string::npos);
  InputForm empty = read("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.program.ops.size(), 0u);
  EXPECT_EQ(empty.note, "");
}

TEST(ProgramText, RoundTripsGeneratedPrograms) {
  Rng rng(43);
  for (const Program &random :
       testing::RandomPrograms(20000, 42, 64, 700, 10)) {
    // v1 mostly (random bytes rarely start with 2), and their v2 mutants.
    const Program p = rng.below(2) ? random : mutate(random, rng.next());
    ASSERT_TRUE(is_valid(p));
    std::string text = print_program(p);
    ParseResult r = parse_program(text);
    ASSERT_TRUE(r.ok()) << r.error << "\n" << text;
    ASSERT_EQ(r.program, p) << text;
    ASSERT_EQ(print_program(r.program), text);
  }
}

// "limits": the keys in any order, either one alone; printed in one order,
// only the keys not at their defaults, and not at all when none is.
TEST(ProgramText, LimitsRoundTrip) {
  ParseResult r = parse_program(
      "# nsfuzz program v2\nlimits mounts=3  tasks=4\nthreads 3\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program.limits, (Limits{.tasks = 4, .mounts = 3}));
  EXPECT_EQ(print_program(r.program),
            "# nsfuzz program v2\n"
            "protocol rcu_2007\n"
            "threads 3\n"
            "limits tasks=4 mounts=3\n");
  r = parse_program("# nsfuzz program v2\nlimits mounts=1\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program.limits, (Limits{.tasks = kMaxTasks, .mounts = 1}));
  EXPECT_NE(print_program(r.program).find("\nlimits mounts=1\n"),
            std::string::npos);
  r = parse_program("# nsfuzz program v2\nlimits tasks=16 mounts=16\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.program, Program{});
  EXPECT_EQ(print_program(r.program).find("limits"), std::string::npos);
  EXPECT_EQ(print_limits(Limits{}), "");
  EXPECT_EQ(print_limits({.tasks = 5}), "tasks=5");
  Limits l;
  EXPECT_EQ(parse_limits("tasks=5", &l), "");
  EXPECT_EQ(l, (Limits{.tasks = 5}));
  EXPECT_EQ(parse_limits("tasks=5 mounts=x", &l),
            "limits mounts must be 1..16, got 'x'");
  EXPECT_EQ(l, (Limits{.tasks = 5}));  // untouched on an error
  // Every limit a Program of each thread count can have.
  for (int threads = kMinThreads; threads <= kMaxThreads; ++threads)
    for (int tasks = 1 + threads; tasks <= kMaxTasks; ++tasks)
      for (int mounts = 1; mounts <= kMaxMountsPerNs; ++mounts) {
        Program p;
        p.threads = threads;
        p.limits = {.tasks = tasks, .mounts = mounts};
        p.ops = {{threads, OpKind::mount, 1}};
        ASSERT_TRUE(is_valid(p));
        ParseResult back = parse_program(print_program(p));
        ASSERT_TRUE(back.ok()) << back.error;
        ASSERT_EQ(back.program, p) << print_program(p);
      }
}

TEST(ProgramText, RoundTripsExtremes) {
  Program p;
  p.threads = kMaxThreads;
  p.privileged = thread_mask(kMaxThreads);
  p.fail_alloc = kMaxFailAlloc;
  p.policy = Policy::unpack(UINT32_MAX);
  for (int i = 0; i < kMaxOps; ++i)
    p.ops.push_back({1 + i % kMaxThreads, OpKind::clone, kCloneNewAll});
  Program v1 = p;
  v1.format = kFormatV1;
  for (int i = 0; i < kMaxSwitches; ++i)
    v1.step_switches.push_back({UINT32_MAX - kMaxSwitches + 1 + i, 1 + i % 4});
  for (int i = 0; i < kMaxSwitches; ++i)
    p.switches.push_back(
        {{1 + i % 4, static_cast<Site>(kNumSites - 1), kMaxNth - i},
         1 + (i + 1) % 4});
  Program limited = p;
  limited.limits = {.tasks = 1 + kMaxThreads, .mounts = 1};
  for (const Program &q : {p, v1, limited}) {
    ASSERT_TRUE(is_valid(q));
    ParseResult r = parse_program(print_program(q));
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.program, q);
  }
}

struct BadInput {
  const char *text;
  const char *error;
};

TEST(ProgramText, RejectsMalformedInput) {
  std::string too_many_ops;
  for (int i = 0; i <= kMaxOps; ++i) too_many_ops += "T1: exit()\n";
  std::string too_many_switches;
  for (int i = 1; i <= kMaxSwitches + 1; ++i)
    too_many_switches += "switch @" + std::to_string(i) + " -> T1\n";
  const BadInput cases[] = {
      {"threads 2\nT1: exit()\nT2: exit()\nT1: foo(T1)\n",
       "line 4: unknown operation 'foo'"},
      {"T3: exit()\n", "line 1: thread T3 out of range (threads 2)"},
      {"T0: exit()\n", "line 1: thread T0 out of range (threads 2)"},
      {"Tx: exit()\n", "line 1: bad thread 'Tx' (expected T1..T2)"},
      {"T1: unshare(NEWFOO)\n",
       "line 1: bad flags 'NEWFOO' (expected 0 or "
       "NEWNS|NEWUTS|NEWIPC|NEWPID|NEWNET)"},
      {"T1: clone(0x1)\n",
       "line 1: bad flags '0x1' (expected 0 or "
       "NEWNS|NEWUTS|NEWIPC|NEWPID|NEWNET)"},
      {"switch @9 -> T1\nswitch @4 -> T2\n",
       "line 2: switch @4 not after @9 (points must increase)"},
      {"switch @4 -> T1\nswitch @4 -> T2\n",
       "line 2: switch @4 not after @4 (points must increase)"},
      {"switch @0 -> T1\n", "line 1: switch point must be >= 1"},
      {"switch 4 -> T1\n", "line 1: expected 'switch @<point> -> T<n>' (v1)"},
      {"switch @4 -> T7\n", "line 1: thread T7 out of range (threads 2)"},
      {too_many_ops.c_str(), "line 49: too many operations (max 48)"},
      {too_many_switches.c_str(), "line 65: too many switches (max 64)"},
      {"T1 exit()\n", "line 1: missing ':' after 'T1'"},
      {"exit()\n", "line 1: missing 'T<n>:' before 'exit'"},
      {"protocol rcu_2099\n",
       "line 1: unknown protocol 'rcu_2099' (expected task_lock_2007, "
       "rcu_2007 or task_lock_2014)"},
      {"# hi\nfrobnicate 3\n", "line 2: unknown directive 'frobnicate'"},
      {"threads 5\n", "line 1: threads must be 2..4, got '5'"},
      {"threads 2\nthreads 3\n", "line 2: duplicate 'threads'"},
      {"T1: exit()\nthreads 3\n",
       "line 2: 'threads' after the first operation or switch"},
      {"privileged T3\n\nT1: exit()\n",
       "line 1: privileged names a thread beyond T2 (threads 2)"},
      {"privileged T3\nthreads 2\n",
       "line 1: privileged names a thread beyond T2 (threads 2)"},
      {"fail_alloc 33\n", "line 1: fail_alloc must be 0..32, got '33'"},
      {"policy_seed 4294967296\n",
       "line 1: policy_seed must be a 32-bit number, got '4294967296'"},
      {"T1: exit(T1)\n", "line 1: 'exit' takes no argument"},
      {"T1: exit\n", "line 1: expected 'exit(...)'"},
      {"T1: setns(T16)\n", "line 1: bad task 'T16' (expected T0..T15)"},
      {"T1: sethostname(m1)\n", "line 1: bad name 'm1' (expected h0..h15)"},
      {"T1: umount(m16)\n", "line 1: bad name 'm16' (expected m0..m15)"},
      {"T1:\n", "line 1: missing operation after ':'"},
  };
  // Each text follows a v1 first line: its errors are one line further.
  for (const BadInput &c : cases) {
    ParseResult r = parse_program(std::string(kTextMagic) + " v1\n" + c.text);
    std::string expected = c.error;
    size_t end = expected.find(':');
    expected = "line " +
               std::to_string(std::stoi(expected.substr(5, end - 5)) + 1) +
               expected.substr(end);
    EXPECT_EQ(r.error, expected) << c.text;
  }
  const BadInput v2_cases[] = {
      {"switch @4 -> T2\n",
       "line 2: expected 'switch T<n>@<site>#<pass> -> T<m>', got '@4 -> T2'"},
      {"switch T1@nowhere#1 -> T2\n",
       "line 2: expected 'switch T<n>@<site>#<pass> -> T<m>', got "
       "'T1@nowhere#1 -> T2'"},
      {"switch T1@put_ns#1 -> T1\n", "line 2: T1 switches to itself"},
      {"switch T1@put_ns#0 -> T2\n", "line 2: pass #0 out of range 1..65535"},
      {"switch T1@put_ns#1 -> T2\nswitch T1@put_ns#1 -> T2\n",
       "line 3: the same anchor as switch 1"},
      {"switch T3@put_ns#1 -> T2\n",
       "line 2: thread T3 out of range (threads 2)"},
      {"policy_seed 7\n",
       "line 2: 'policy_seed' is v1's; v2 writes 'priorities' and 'preempt'"},
      {"preempt 64 0 0\n",
       "line 2: preempt takes three schedule points 0..63 (0: none), got "
       "'64'"},
      {"priorities 256\n", "line 2: priorities must be 0..255, got '256'"},
      {"limits\n", "line 2: limits takes tasks=N and/or mounts=N, got nothing"},
      {"limits tasks=0\n", "line 2: limits tasks must be 1..16, got '0'"},
      {"limits mounts=17\n", "line 2: limits mounts must be 1..16, got '17'"},
      {"limits cpus=2\n",
       "line 2: limits takes tasks=N and/or mounts=N, got 'cpus=2'"},
      {"limits tasks 4\n",
       "line 2: limits takes tasks=N and/or mounts=N, got 'tasks'"},
      {"limits tasks=4 tasks=5\n", "line 2: duplicate limits key 'tasks'"},
      {"limits tasks=4\nlimits mounts=2\n", "line 3: duplicate 'limits'"},
      {"T1: exit()\nlimits tasks=4\n",
       "line 3: 'limits' after the first operation or switch"},
      {"limits tasks=3\nthreads 3\nT1: exit()\n",
       "line 2: limits tasks=3 leaves no room for init and 3 threads (at "
       "least 4)"},
  };
  for (const BadInput &c : v2_cases) {
    ParseResult r = parse_program(std::string(kTextMagic) + " v2\n" + c.text);
    EXPECT_EQ(r.error, c.error) << c.text;
  }
  EXPECT_EQ(parse_program("# nsfuzz program v1\npriorities 3\n").error,
            "line 2: 'priorities' is v2's; v1 writes 'policy_seed'");
  EXPECT_EQ(parse_program("# nsfuzz program v1\nlimits tasks=4\n").error,
            "line 2: 'limits' is v2's");
}

TEST(Validate, ReportsTheProblem) {
  std::string why;
  EXPECT_TRUE(is_valid(example(), &why));
  Program p = example();
  p.ops[1].thread = 3;
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "op 2: thread T3 out of range (threads 2)");
  p = example();
  p.ops[0].arg = 1;
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "op 1: bad argument 1 for unshare");
  p = example();
  p.step_switches = {{5, 1}, {5, 2}};
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "switch 2: point 5 not after the previous switch's 5");
  p = example();
  p.switches = {{{1, Site::put_ns, 1}, 2}};
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "a v1 Program has step switches only");
  p = example();
  p.step_switches = {{0, 1}};
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "switch 1: point 0 (points count from 1)");
  p = example();
  p.privileged = 1;  // T0 is init, not a thread of the program
  EXPECT_FALSE(is_valid(p, &why));
  p = example();
  p.threads = 5;
  EXPECT_FALSE(is_valid(p, &why));
  p = example();
  p.fail_alloc = kMaxFailAlloc + 1;
  EXPECT_FALSE(is_valid(p, &why));
  p = example();
  p.ops.resize(kMaxOps + 1);
  EXPECT_FALSE(is_valid(p, &why));
  p = example_v2();
  p.limits.tasks = 2;
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why,
            "limits tasks=2 out of range 4..16 (init and 3 threads at least)");
  p = example_v2();
  p.limits.mounts = 0;
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "limits mounts=0 out of range 1..16");
  p = example();
  p.limits.mounts = 3;
  EXPECT_FALSE(is_valid(p, &why));
  EXPECT_EQ(why, "limits are v2's");
}

}  // namespace
}  // namespace nsfuzz
