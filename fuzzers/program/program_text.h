// The text form of a Program: what a person reads, edits and commits.
//
//   # nsfuzz program v2       (the first line names the format: v2, or v1)
//   protocol rcu_2007
//   threads 2
//   privileged T1 T2          (omitted when none)
//   fail_alloc 3              (omitted when 0)
//   limits tasks=4 mounts=3   (v2; the keys not at their defaults; omitted
//                             when both are: core/limits.h)
//   priorities 7              (the policy's priority seed; omitted when 0)
//   preempt 12 0 0            (its PCT change points; omitted when none)
//   T1: unshare(NEWNS|NEWUTS)
//   T2: mounts_open(T1)
//   T1: exit()
//   switch T1@switch_put_old#1 -> T2
//
// "switch T1@switch_put_old#1 -> T2": when T1 reaches its first pass of
// switch_put_old, T2 runs (see program.h). Op arguments: FLAGS as
// clone_flags_name prints them (0 for none), TASK as T<n>, NAME as h<n>
// (sethostname) or m<n> (mount, umount), NONE as (). '#' at the start of a
// line or after a blank starts a comment; blank lines are ignored.
// Directives come before the first op or switch; ops run in file order.
// v1 (older files) writes `policy_seed N` (the packed Policy) and
// `switch @K -> T2` (at the run's K-th schedule point), in point order.
#ifndef NSFUZZ_FUZZERS_PROGRAM_PROGRAM_TEXT_H_
#define NSFUZZ_FUZZERS_PROGRAM_PROGRAM_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzzers/program/program.h"

namespace nsfuzz {

// One operation as the text form writes it: "unshare(NEWNS|NEWUTS)".
std::string print_op(const Op &op);

// "T1@switch_put_old#1".
std::string print_anchor(const Anchor &a);

// "tasks=4 mounts=3": the limits not at their defaults, "" when none is.
std::string print_limits(const Limits &l);
// Reads what print_limits prints, keys in any order, at least one: "" with
// *out set (the keys not given at their defaults), or a one-line error,
// e.g. "limits tasks must be 1..16, got '0'". Tasks are not checked
// against a Program's threads here (is_valid does).
std::string parse_limits(std::string_view s, Limits *out);

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

// How the fuzz targets and every tool read an input, one way for all:
// the text form when it starts with kTextMagic, the bytes otherwise (any
// bytes decode). Text that does not parse is an error, never read as bytes:
// the fuzz targets run nothing for it (libFuzzer keeps no such unit), and
// the tools refuse it with the parse error.
inline constexpr std::string_view kTextMagic = "# nsfuzz program";
struct InputForm {
  Program program;
  bool is_text = false;
  std::string error;  // one line; empty when ok
  std::string note;   // e.g. bytes that look like a text Program's
  bool ok() const { return error.empty(); }
};
InputForm read_input(const uint8_t *data, size_t size);

// A Program to mutate, from any input: read_input's, or (when that fails)
// the decoded bytes.
Program program_to_mutate(const uint8_t *data, size_t size);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_PROGRAM_TEXT_H_
