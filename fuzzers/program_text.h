// The text form of a Program: what a person reads, edits and commits.
//
//   # nsfuzz program v1
//   protocol rcu_2007
//   threads 2
//   privileged T1 T2          (omitted when none)
//   fail_alloc 3              (omitted when 0)
//   policy_seed 7             (omitted when 0)
//   T1: unshare(NEWNS|NEWUTS)
//   T2: mounts_open(T1)
//   T1: exit()
//   switch @4 -> T2
//
// Op arguments: FLAGS as clone_flags_name prints them (0 for none), TASK as
// T<n>, NAME as h<n> (sethostname) or m<n> (mount, umount), NONE as ().
// '#' starts a comment; blank lines are ignored. Directives come before the
// first op or switch; ops run in file order, switches must be in point order.
#ifndef NSFUZZ_FUZZERS_PROGRAM_TEXT_H_
#define NSFUZZ_FUZZERS_PROGRAM_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzzers/program.h"

namespace nsfuzz {

// One operation as the text form writes it: "unshare(NEWNS|NEWUTS)".
std::string print_op(const Op &op);

// Canonical text of a valid Program; parse_program reads it back equal.
std::string print_program(const Program &p);

struct ParseResult {
  Program program;    // valid when ok()
  std::string error;  // one line, e.g. "line 4: unknown operation 'foo'"
  bool ok() const { return error.empty(); }
};

// Parses and validates the text form; the result is a valid Program or an
// error naming the first offending line.
ParseResult parse_program(std::string_view text);

// A fuzz input: the text form when it starts with kTextMagic and parses
// (seed corpora are written as text), the decoded bytes otherwise. Total.
inline constexpr std::string_view kTextMagic = "# nsfuzz program";
Program program_from_input(const uint8_t *data, size_t size);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_TEXT_H_
