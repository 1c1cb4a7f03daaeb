#include "fuzzers/exec/trace_html.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>

#include "core/finding.h"
#include "core/sched.h"
#include "fuzzers/program/program_text.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define NSFUZZ_HTML_ASAN 1
#endif
// Not under TSan: its death callback runs with the report's locks held, and
// writing the page there (malloc, fopen) hangs the process.
#if __has_feature(address_sanitizer)
#include <sanitizer/common_interface_defs.h>
#define NSFUZZ_HTML_SANITIZER 1
#endif
#if __has_feature(thread_sanitizer)
#define NSFUZZ_HTML_TSAN 1
#endif
#endif

#ifdef NSFUZZ_HTML_TSAN
// TSan's report API (tsan_interface.h of LLVM 19 does not declare it).
extern "C" int __tsan_get_report_mop(void *report, unsigned long idx, int *tid,
                                     void **addr, int *size, int *write,
                                     int *atomic, void **trace,
                                     unsigned long trace_size)
    __attribute__((weak));
#endif

namespace nsfuzz {
namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool is_free_site(Site s) {
  return site_name(s).substr(0, 5) == "free_";
}

// The cell of one event in its thread's column: CSS class and text.
std::pair<std::string, std::string> cell(const TraceEvent &e) {
  const std::string site = std::string(site_name(e.site)) +
                           (e.nth ? "#" + std::to_string(e.nth) : "");
  const std::string obj = e.what == "-" ? "" : " " + e.what;
  switch (e.kind) {
    case TraceEvent::op_begin: return {"op", e.what};
    case TraceEvent::op_end: return {"ret", "= " + e.what};
    case TraceEvent::point:
      return {is_free_site(e.site) ? "point free" : "point", site + obj};
    case TraceEvent::block: return {"block", "BLOCKED in " + site + obj};
    case TraceEvent::unblock: return {"block", "unblocked"};
    case TraceEvent::switch_to: return {"switch", print_decision(e.decision)};
  }
  return {"", ""};
}

}  // namespace

int running_thread(const std::vector<TraceEvent> &trace) {
  // A switch's thread is the one it hands the CPU to.
  return trace.empty() ? 1 : trace.back().thread;
}

std::vector<TraceMark> use_after_free_marks(
    const std::vector<TraceEvent> &trace, uintptr_t addr, int thread) {
  std::vector<TraceMark> marks;
  if (trace.empty()) return marks;
  for (size_t i = trace.size(); i-- > 0;) {
    const TraceEvent &e = trace[i];
    if (addr && e.kind == TraceEvent::point && e.addr == addr &&
        is_free_site(e.site)) {
      marks.push_back({i, "freed here (T" + std::to_string(e.thread) + ")"});
      break;
    }
  }
  for (size_t i = trace.size(); i-- > 0;) {
    const TraceEvent &e = trace[i];
    if (addr && e.thread == thread && e.kind == TraceEvent::point &&
        e.addr == addr && !is_free_site(e.site)) {
      marks.push_back({i, "T" + std::to_string(thread) + " got it here"});
      break;
    }
  }
  marks.push_back({trace.size(), "used after free here (T" +
                                     std::to_string(thread) +
                                     "): the access the report names"});
  return marks;
}

std::string trace_html(const Program &p, const std::vector<TraceEvent> &trace,
                       const TraceFinding &finding) {
  int threads = p.threads;
  for (const TraceEvent &e : trace) threads = std::max(threads, e.thread);
  std::map<size_t, std::string> notes;
  for (const TraceMark &m : finding.marks)
    notes[m.event] += (notes[m.event].empty() ? "" : "; ") + m.note;

  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>nsfuzz trace</title>\n<style>\n"
      "body { font-family: sans-serif; margin: 1.5em; color: #222; }\n"
      "table { border-collapse: collapse; font-family: monospace; }\n"
      "th { background: #eee; position: sticky; top: 0; }\n"
      "td, th { border-left: 1px solid #ccc; border-right: 1px solid #ccc; "
      "padding: 1px 10px; vertical-align: top; min-width: 16em; }\n"
      "td.n { color: #999; min-width: 0; text-align: right; }\n"
      "tr.switch td { border-top: 2px solid #36c; }\n"
      ".op { font-weight: bold; } .ret { color: #666; }\n"
      ".point { color: #333; } .free { color: #a40; }\n"
      ".block { color: #b60; font-style: italic; }\n"
      "td.switch { color: #36c; }\n"
      ".mark { background: #fdd; outline: 2px solid #c00; }\n"
      ".note { color: #c00; font-weight: bold; font-family: sans-serif; }\n"
      "pre { background: #f4f4f4; padding: 6px; }\n"
      ".finding { border-left: 4px solid #c00; padding-left: 8px; }\n"
      "</style></head><body>\n<h1>";
  h += finding.title.empty() ? "No finding" : escape(finding.title);
  h += "</h1>\n";
  if (!finding.title.empty())
    h += "<p class=\"finding\">" + escape(finding.detail) +
         (finding.marks.empty() ? "" : " Marked in red below.") + "</p>\n";
  h += "<details><summary>Program</summary><pre>" + escape(print_program(p)) +
       "</pre></details>\n";
  h += "<p>" + std::to_string(trace.size()) +
       " events. One column per thread; time runs down; a blue line is a "
       "context switch.</p>\n<table>\n<tr><th></th>";
  for (int t = 1; t <= threads; ++t) h += "<th>T" + std::to_string(t) + "</th>";
  h += "</tr>\n";
  bool switched = false;
  for (size_t i = 0; i < trace.size(); ++i) {
    const TraceEvent &e = trace[i];
    if (e.kind == TraceEvent::switch_to) {
      switched = true;
      continue;  // drawn as the line above the next thread's first event
    }
    auto [cls, text] = cell(e);
    auto note = notes.find(i);
    h += switched ? "<tr class=\"switch\">" : "<tr>";
    switched = false;
    h += "<td class=\"n\">" + std::to_string(i) + "</td>";
    for (int t = 1; t <= threads; ++t) {
      if (t != e.thread) {
        h += "<td></td>";
        continue;
      }
      h += "<td class=\"" + cls + (note != notes.end() ? " mark" : "") + "\">" +
           escape(text);
      if (note != notes.end())
        h += "<br><span class=\"note\">&#9664; " + escape(note->second) +
             "</span>";
      h += "</td>";
    }
    h += "</tr>\n";
  }
  // Marks past the last event: what the run did next, the finding itself.
  auto last = notes.lower_bound(trace.size());
  if (last != notes.end()) {
    int thread = running_thread(trace);
    h += switched ? "<tr class=\"switch\">" : "<tr>";
    h += "<td class=\"n\"></td>";
    for (int t = 1; t <= threads; ++t)
      h += t != thread ? std::string("<td></td>")
                       : "<td class=\"mark\"><span class=\"note\">&#10006; " +
                             escape(last->second) + "</span></td>";
    h += "</tr>\n";
  }
  h += "</table>\n</body></html>\n";
  return h;
}

std::string write_html_file(const std::string &path, const std::string &html) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "w");
  if (!f) return "cannot write " + tmp;
  bool ok = std::fwrite(html.data(), 1, html.size(), f) == html.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return "cannot write " + path;
  }
  return "";
}

namespace {

// What arm_trace_page() needs when the process is about to end.
struct Armed {
  std::string path;
  Program program;
  const std::vector<TraceEvent> *const *live = nullptr;
  FindingHandler previous = nullptr;
} *armed = nullptr;

const std::vector<TraceEvent> &live_trace() {
  static const std::vector<TraceEvent> none;
  return armed && armed->live && *armed->live ? **armed->live : none;
}

void write_armed(const TraceFinding &f) {
  if (!armed) return;
  std::string err =
      write_html_file(armed->path, trace_html(armed->program, live_trace(), f));
  if (!err.empty()) std::fprintf(stderr, "trace page: %s\n", err.c_str());
}

void on_finding(const Finding &f) {
  const std::vector<TraceEvent> &trace = live_trace();
  TraceFinding tf{"nsfuzz: " + std::string(finding_kind_name(f.kind)) + " " +
                      f.object + " in " + f.where,
                  f.message,
                  {}};
  tf.marks.push_back(
      {trace.size(),
       "the finding, here (T" + std::to_string(running_thread(trace)) + ")"});
  write_armed(tf);
  FindingHandler prev = armed->previous;
  if (prev) prev(f);
}

#ifdef NSFUZZ_HTML_SANITIZER
void on_sanitizer_death() {
  const std::vector<TraceEvent> &trace = live_trace();
  TraceFinding tf;
#ifdef NSFUZZ_HTML_ASAN
  int thread = running_thread(trace);
  if (__asan_report_present()) {
    void *bad = __asan_get_report_address();
    void *region = nullptr;
    size_t size = 0;
    __asan_locate_address(bad, nullptr, 0, &region, &size);
    tf.title =
        std::string("AddressSanitizer: ") + __asan_get_report_description();
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "T%d touched %p, %zu bytes into a %zu-byte heap block "
                  "freed earlier.",
                  thread, bad,
                  static_cast<size_t>(static_cast<char *>(bad) -
                                      static_cast<char *>(region)),
                  size);
    tf.detail = buf;
    tf.marks = use_after_free_marks(trace, reinterpret_cast<uintptr_t>(region),
                                    thread);
  }
#endif
  if (tf.title.empty()) {
    tf.title = "Sanitizer report";
    tf.detail = "The run ended with a sanitizer report (see the log).";
    tf.marks.push_back(
        {trace.size(),
         "reported here (T" + std::to_string(running_thread(trace)) + ")"});
  }
  write_armed(tf);
}
#endif

}  // namespace

namespace {

constexpr int kMaxRaceReports = 8;
RaceReport race_report_log[kMaxRaceReports];
std::atomic<int> reports_seen{0};

}  // namespace

int sanitizer_reports() {
  return reports_seen.load(std::memory_order_relaxed);
}

std::vector<RaceReport> race_reports() {
  int n = std::min(sanitizer_reports(), kMaxRaceReports);
  return std::vector<RaceReport>(race_report_log, race_report_log + n);
}

void continue_after_race_reports(char **argv) {
#ifdef NSFUZZ_HTML_TSAN
  if (std::getenv("NSFUZZ_TSAN_CONTINUE")) return;
  const char *old = std::getenv("TSAN_OPTIONS");
  std::string opts = std::string(old ? old : "") + ":halt_on_error=0";
  setenv("TSAN_OPTIONS", opts.c_str(), 1);
  setenv("NSFUZZ_TSAN_CONTINUE", "1", 1);
  execv("/proc/self/exe", argv);  // returns only if it fails
#else
  (void)argv;
#endif
}

std::vector<TraceMark> race_marks(const std::vector<TraceEvent> &trace,
                                  const RaceReport &r) {
  std::vector<TraceMark> marks;
  size_t at = std::min(r.at, trace.size());
  const std::vector<TraceEvent> before(trace.begin(), trace.begin() + at);
  int thread = running_thread(before);
  // The reporting thread's last point: its racing access follows it.
  for (size_t i = at; i-- > 0;)
    if (trace[i].thread == thread && trace[i].kind != TraceEvent::switch_to) {
      marks.push_back({i, "T" + std::to_string(thread) +
                              "'s racing access comes right after this"});
      break;
    }
  // The object that holds the address: the nearest object at or below it.
  uintptr_t obj = 0;
  for (size_t i = 0; i < at; ++i)
    if (trace[i].addr && trace[i].addr <= r.addr && trace[i].addr > obj &&
        r.addr - trace[i].addr < 4096)
      obj = trace[i].addr;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = at; i-- > 0;) {
      const TraceEvent &e = trace[i];
      if (e.thread == thread || e.kind == TraceEvent::switch_to) continue;
      if (pass == 0 && (!obj || e.addr != obj)) continue;
      marks.push_back({i, "T" + std::to_string(e.thread) +
                              (pass == 0 ? " touched it here: the other access "
                                           "is at or after this"
                                         : " last ran here: the other access "
                                           "is before")});
      return marks;
    }
  return marks;
}

TraceFinding race_finding(const std::vector<TraceEvent> &trace,
                          int reports_before) {
  TraceFinding f;
  std::vector<RaceReport> all = race_reports();
  if (sanitizer_reports() <= reports_before) return f;
  if (static_cast<size_t>(reports_before) >= all.size()) {
    f.title = "ThreadSanitizer: data race";
    f.detail = "More reports than this page keeps; see the log.";
    return f;
  }
  const RaceReport &r = all[reports_before];
  f.title = "ThreadSanitizer: data race";
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "Two threads accessed %p with no happens-before between "
                "them (%d report%s in this run; the first is drawn).",
                reinterpret_cast<void *>(r.addr),
                sanitizer_reports() - reports_before,
                sanitizer_reports() - reports_before == 1 ? "" : "s");
  f.detail = buf;
  f.marks = race_marks(trace, r);
  return f;
}

void arm_trace_page(const std::string &path, const Program &p,
                    const std::vector<TraceEvent> *const *live) {
  if (!armed) armed = new Armed;  // lives until the process ends
  armed->path = path;
  armed->program = p;
  armed->live = live;
  FindingHandler prev = set_finding_handler(on_finding);
  if (prev != on_finding) armed->previous = prev;
#ifdef NSFUZZ_HTML_SANITIZER
  __sanitizer_set_death_callback(on_sanitizer_death);
#endif
}

void disarm_trace_page() {
  if (!armed) return;
  set_finding_handler(armed->previous);
#ifdef NSFUZZ_HTML_SANITIZER
  __sanitizer_set_death_callback(nullptr);
#endif
  delete armed;
  armed = nullptr;
}

}  // namespace nsfuzz

#ifdef NSFUZZ_HTML_TSAN
// Called by TSan inside each report, with its locks held: no allocation, no
// I/O, only this thread's own state (the armed trace is this worker's, the
// run's racing access is its own) and a fixed log.
extern "C" __attribute__((no_sanitize("thread"))) void __tsan_on_report(
    void *report) {
  using namespace nsfuzz;
  int i = reports_seen.fetch_add(1, std::memory_order_relaxed);
  if (i >= kMaxRaceReports) return;
  RaceReport r;
  r.at = live_trace().size();
  void *addr = nullptr, *trace[1];
  int tid, size, write, atomic;
  if (__tsan_get_report_mop &&
      __tsan_get_report_mop(report, 0, &tid, &addr, &size, &write, &atomic,
                            trace, 1))
    r.addr = reinterpret_cast<uintptr_t>(addr);
  race_report_log[i] = r;
}
#endif
