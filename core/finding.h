// Findings of the core: lifetime violations and misuse it detects itself.
//
// Sanitizers report memory errors and races on their own; these are what
// only the model can see (a leak at teardown, a refcount underflow, a
// grace period that waits for itself). The default handler prints a report
// in the sanitizers' style and aborts, so that libFuzzer keeps the input.
#ifndef NSFUZZ_CORE_FINDING_H_
#define NSFUZZ_CORE_FINDING_H_

#include <string>
#include <string_view>

namespace nsfuzz {

enum class FindingKind : unsigned char {
  leak,                // an object still live when the world is torn down
  double_free,         // an object freed twice
  refcount_underflow,  // a put on a count already zero
  use_after_free,      // a freed object touched (seen without ASan)
  deadlock,            // every thread blocked, or a wait that waits on itself
  sleep_in_atomic,     // synchronize_rcu() under a spinlock (might_sleep)
  step_bound,          // the run did not finish within its step budget
};

std::string_view finding_kind_name(FindingKind k);  // "refcount-underflow"

struct Finding {
  FindingKind kind;
  std::string object;   // "nsproxy", "mnt_namespace", "task T2", ...
  std::string where;    // the function or site: "put_nsproxy"
  std::string message;  // one sentence for a person
};

// "==nsfuzz== ERROR: ..." then "SUMMARY: nsfuzz: <kind> <object> <where>".
std::string format_finding(const Finding &f);

// The handler returns to let the core go on (tests), or does not return.
using FindingHandler = void (*)(const Finding &);
// Returns the previous handler. The default prints and aborts.
FindingHandler set_finding_handler(FindingHandler h);
void report_finding(FindingKind kind, std::string object, std::string where,
                    std::string message);

}  // namespace nsfuzz

#endif  // NSFUZZ_CORE_FINDING_H_
