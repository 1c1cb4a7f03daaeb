// Signature: what identifies a finding across runs, rebuilds and inlining.
//
// The kind of report (an ASan error type, a TSan data race, an nsfuzz
// finding, a libFuzzer timeout...) and the functions of the model where it
// happened (function names only: no addresses, lines or arguments, which
// change with every rebuild). Two reports with equal signatures are the
// same bug.
#ifndef NSFUZZ_FUZZERS_TRIAGE_SIGNATURE_H_
#define NSFUZZ_FUZZERS_TRIAGE_SIGNATURE_H_

#include <optional>
#include <string>
#include <string_view>

namespace nsfuzz {

struct Signature {
  std::string kind;     // "asan:heap-use-after-free", "nsfuzz:leak", ...
  std::string where;    // "task_nsproxy>get_task_ns", "mnt_namespace teardown"
  std::string summary;  // the report's first SUMMARY line, verbatim
  // "kind @ where": what regression cases record and dedup compares.
  std::string str() const { return kind + " @ " + where; }
};

// The kind as a table cell: "heap-use-after-free", "data race",
// "nsfuzz: leak", "leak (LSan)", "libFuzzer: timeout" (see kShortKinds).
std::string short_kind(std::string_view kind);

// The signature of the first finding in a run's output (stdout and stderr
// together), or nullopt when it reports none.
std::optional<Signature> signature_of(std::string_view report);

// "nsfuzz::mnt_namespace* nsfuzz::(anonymous namespace)::get_task_ns<
// nsfuzz::mnt_namespace>(nsfuzz::task_struct*, ...)" -> "get_task_ns".
std::string bare_function_name(std::string_view symbolized);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_SIGNATURE_H_
