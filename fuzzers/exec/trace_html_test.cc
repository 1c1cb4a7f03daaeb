#include "fuzzers/exec/trace_html.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/finding.h"
#include "fuzzers/exec/executor.h"
#include "fuzzers/testing/testing_programs.h"

namespace nsfuzz {
namespace {

size_t Count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1))
    ++n;
  return n;
}

std::string Read(const std::string &path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const char kTwoThreads[] =
    "# nsfuzz program v1\n"
    "protocol rcu_2007\n"
    "threads 2\n"
    "privileged T1\n"
    "T1: unshare(NEWNS)\n"
    "T2: mounts_open(T1)\n"
    "T1: daemonize()\n"
    "switch @8 -> T2\n"
    "switch @10 -> T1\n";

TEST(TraceHtmlTest, OneColumnPerThreadEveryEventOnce) {
  Program p = testing::ParseOrFail(kTwoThreads);
  Executor e;
  RunOptions o;
  o.trace = true;
  RunResult r = e.run(p, o);
  std::string page = trace_html(p, r.trace, {});
  EXPECT_EQ(Count(page, "<th>T"), 2u);
  size_t switches = 0, rows = 0;
  for (const TraceEvent &ev : r.trace)
    (ev.kind == TraceEvent::switch_to ? switches : rows)++;
  EXPECT_EQ(Count(page, "<td class=\"n\">"), rows);
  EXPECT_EQ(Count(page, "<tr class=\"switch\">"), switches);
  EXPECT_NE(page.find("unshare(NEWNS)"), std::string::npos);
  EXPECT_NE(page.find("No finding"), std::string::npos);
  // The objects of schedule points carry their address.
  bool addr = false;
  for (const TraceEvent &ev : r.trace)
    addr |= ev.kind == TraceEvent::point && ev.addr != 0;
  EXPECT_TRUE(addr);
}

TEST(TraceHtmlTest, UseAfterFreeMarksTheFreeAndTheUseInTheirThreads) {
  std::vector<TraceEvent> t = {
      {.kind = TraceEvent::op_begin,
       .thread = 2,
       .site = Site{},
       .what = "mounts_open(T1)",
       .addr = 0},
      {.kind = TraceEvent::point,
       .thread = 2,
       .site = Site::rcu_dereference,
       .what = "nsproxy#7",
       .addr = 0x1000},
      {.kind = TraceEvent::switch_to,
       .thread = 1,
       .site = Site{},
       .what = "T1",
       .addr = 0},
      {.kind = TraceEvent::point,
       .thread = 1,
       .site = Site::free_nsproxy,
       .what = "nsproxy#9",
       .addr = 0x2000},
      {.kind = TraceEvent::point,
       .thread = 1,
       .site = Site::free_nsproxy,
       .what = "nsproxy#7",
       .addr = 0x1000},
      {.kind = TraceEvent::switch_to,
       .thread = 2,
       .site = Site{},
       .what = "T2",
       .addr = 0},
      {.kind = TraceEvent::point,
       .thread = 2,
       .site = Site::reader_got_ns,
       .what = "mnt_namespace#3",
       .addr = 0x3000},
  };
  std::vector<TraceMark> m = use_after_free_marks(t, 0x1000, 2);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].event, 4u);  // the free of 0x1000, not of 0x2000
  EXPECT_NE(m[0].note.find("freed here (T1)"), std::string::npos);
  EXPECT_EQ(m[1].event, 1u);        // where T2 got it
  EXPECT_EQ(m[2].event, t.size());  // after T2's last event: the access
  EXPECT_EQ(running_thread(t), 2);
  Program p;
  p.threads = 2;
  std::string page = trace_html(
      p, t, {"AddressSanitizer: heap-use-after-free", "<detail>", m});
  EXPECT_EQ(Count(page, "mark\">"), 3u);
  EXPECT_NE(page.find("used after free here (T2)"), std::string::npos);
  EXPECT_NE(page.find("&lt;detail&gt;"), std::string::npos);  // escaped
  EXPECT_EQ(page.find("<detail>"), std::string::npos);
}

int findings_seen = 0;
void CountFinding(const Finding &) {
  ++findings_seen;
}

TEST(TraceHtmlTest, AFindingWritesThePageFirst) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/t.html";
  Program p = testing::ParseOrFail(kTwoThreads);
  std::vector<TraceEvent> t = {{.kind = TraceEvent::op_begin,
                                .thread = 1,
                                .site = Site{},
                                .what = "exit()",
                                .addr = 0}};
  const std::vector<TraceEvent> *live = &t;
  FindingHandler before = set_finding_handler(CountFinding);
  arm_trace_page(path, p, &live);
  report_finding(FindingKind::leak, "nsproxy", "teardown", "still live");
  disarm_trace_page();
  set_finding_handler(before);
  EXPECT_EQ(findings_seen, 1);  // and the previous handler still ran
  std::string page = Read(path);
  EXPECT_NE(page.find("nsfuzz: leak nsproxy in teardown"), std::string::npos);
  EXPECT_NE(page.find("the finding, here (T1)"), std::string::npos);
}

}  // namespace
}  // namespace nsfuzz

namespace nsfuzz {
namespace {

// A race: the reporting thread's last point before the report, and the
// other thread's last point on the object that holds the raced address.
TEST(TraceHtmlTest, RaceMarksBothThreadsOnTheRacedObject) {
  std::vector<TraceEvent> t = {
      {.kind = TraceEvent::point,
       .thread = 1,
       .site = Site::switch_assign,
       .what = "T1",
       .nth = 1,
       .addr = 0x5000},
      {.kind = TraceEvent::point,
       .thread = 1,
       .site = Site::put_ns,
       .what = "net#5",
       .nth = 1,
       .addr = 0x9000},
      {.kind = TraceEvent::switch_to, .thread = 2},
      {.kind = TraceEvent::point,
       .thread = 2,
       .site = Site::rcu_read_lock,
       .what = "-",
       .nth = 1},
      {.kind = TraceEvent::point,
       .thread = 2,
       .site = Site::rcu_dereference,
       .what = "nsproxy#7",
       .nth = 1,
       .addr = 0x7000},
  };
  // Reported after event 3 (T2's rcu_read_lock), on a field of T1's task.
  std::vector<TraceMark> m = race_marks(t, RaceReport{4, 0x5008});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].event, 3u);
  EXPECT_NE(m[0].note.find("T2's racing access"), std::string::npos);
  EXPECT_EQ(m[1].event, 0u);  // T1 on the object at 0x5000, not its last
  EXPECT_NE(m[1].note.find("T1 touched it here"), std::string::npos);
  // An address no object holds: the other thread's last point.
  m = race_marks(t, RaceReport{4, 0x100});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].event, 1u);
  EXPECT_NE(m[1].note.find("T1 last ran here"), std::string::npos);
  // The page shows pass numbers, as the text trace does.
  Program p;
  EXPECT_NE(trace_html(p, t, {}).find("rcu_dereference#1"), std::string::npos);
}

}  // namespace
}  // namespace nsfuzz
