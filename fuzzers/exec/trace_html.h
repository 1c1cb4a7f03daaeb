// A run drawn as HTML: one column per thread, its operations, the schedule
// points it passed (with the object), the context switches, blocking, and
// the finding marked where it happened. Rendered from the executor's
// TraceEvents, never from trace text.
#ifndef NSFUZZ_FUZZERS_EXEC_TRACE_HTML_H_
#define NSFUZZ_FUZZERS_EXEC_TRACE_HTML_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/exec/executor.h"
#include "fuzzers/program/program.h"

namespace nsfuzz {

// A note on one event of the trace (an index into it); an index past the
// last event is drawn as a last row in the running thread's column (what
// that thread did next: the access a sanitizer reported).
struct TraceMark {
  size_t event;
  std::string note;
};

struct TraceFinding {
  std::string title;             // "AddressSanitizer: heap-use-after-free"
  std::string detail;            // one more line, may be empty
  std::vector<TraceMark> marks;  // where, in the threads' columns
};

// Marks for a use after free of the object at `addr`: the last schedule
// point that frees it (a free_* site; "freed here"), the last point of
// `thread` on the object ("got it here"), and, past the last event, that
// thread's access after the free ("used after free here").
std::vector<TraceMark> use_after_free_marks(
    const std::vector<TraceEvent> &trace, uintptr_t addr, int thread);

// The thread that ran last: the one a finding stopped.
int running_thread(const std::vector<TraceEvent> &trace);

// A whole page. `finding` may have no title (a clean run).
std::string trace_html(const Program &p, const std::vector<TraceEvent> &trace,
                       const TraceFinding &finding);

// Writes `html` to `path` through a temporary file renamed into place.
// Returns an error message, or "" on success.
std::string write_html_file(const std::string &path, const std::string &html);

// Makes a finding that ends the process (a sanitizer's report that kills
// it, or an nsfuzz finding, whose handler aborts) first write the page of
// the run being recorded at *live (RunOptions::live_trace) to `path`, with
// the finding marked: for an ASan report, the heap block it names, matched
// to TraceEvent::addr. Not for a TSan report that ends the process (TSan's
// death callback holds its report locks: writing there hangs). A death callback
// rather than a forked child that streams events: the trace is already in this
// process, in storage that does not move. disarm_trace_page() undoes it after a
// run that returned.
void arm_trace_page(const std::string &path, const Program &p,
                    const std::vector<TraceEvent> *const *live);
void disarm_trace_page();

// TSan: a report that ends the process leaves no safe place to write the
// page, so a run that wants its page under TSan lets reports go on instead
// (halt_on_error=0) and writes the page after the run. Each report's moment
// (the length of the armed trace then) and the address raced on are kept
// by TSan's __tsan_on_report hook, here.
struct RaceReport {
  size_t at = 0;       // events recorded when TSan reported
  uintptr_t addr = 0;  // the first access's address (0: unknown)
};
// The sanitizer reports this process has seen so far (TSan builds; none
// elsewhere), and the first few of them as RaceReports.
int sanitizer_reports();
std::vector<RaceReport> race_reports();
// Under TSan, re-executes this process once, with halt_on_error=0 added
// to TSAN_OPTIONS (argv as main got it); returns in any other build, in the
// re-executed process, and if the exec fails.
void continue_after_race_reports(char **argv);
// Marks for a race: the reporting thread's last point before the report
// (its racing access comes right after), and the last point of another
// thread on the object that holds the address (else its last point).
std::vector<TraceMark> race_marks(const std::vector<TraceEvent> &trace,
                                  const RaceReport &r);
// The page's finding for the first race report of a run, if there was one.
TraceFinding race_finding(const std::vector<TraceEvent> &trace,
                          int reports_before);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_EXEC_TRACE_HTML_H_
