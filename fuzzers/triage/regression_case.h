// A regression case: one minimized finding, committed under regressions/.
//
// regressions/<name>/ holds
//   case.txt     "key: value" lines: what the case needs and must produce
//   program.txt  the minimized Program, text form
//   input.bin    its canonical bytes
//   report.txt   an excerpt of the report it produced when recorded
// A case is written into a temporary folder (fuzzers/triage/temp_files.h) that
// is then renamed into place: it appears whole or not at all, and an existing
// case is never overwritten. Readers skip temporaries and incomplete
// folders; the next write sweeps the temporaries of writers that are gone.
#ifndef NSFUZZ_FUZZERS_TRIAGE_REGRESSION_CASE_H_
#define NSFUZZ_FUZZERS_TRIAGE_REGRESSION_CASE_H_

#include <map>
#include <string>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

struct RegressionCase {
  std::string name;
  std::string bug = "none";  // the injected bug it needs, or none
  std::string protocol;      // the protocol it was found under
  std::string sanitizer;     // asan, tsan or none: the build it fires in
  std::string signature;     // Signature::str()
  std::string summary;       // the report's first SUMMARY line
  // Sizes: of the raw input and of the minimized case.
  std::map<std::string, std::string> stats;
  Program program;
  std::string report;  // excerpt
};

// Reads regressions/<name>/; on a malformed case returns false and sets
// *error to one line naming the file and what is wrong.
bool read_case(const std::string &dir, RegressionCase *out, std::string *error);

// A name a case folder may have: 1 to 64 of a-z, 0-9, _ and -, not
// starting with - (so never a path, a dot name or an option).
bool valid_case_name(const std::string &name);

// Writes root/<c.name>/ atomically; "" on success, else an error line. An
// existing folder of that name is an error, and leaves it untouched. First
// sweeps root's temporaries left by writers that are gone.
std::string write_case(const std::string &root, const RegressionCase &c);

// Rewrites the existing case folder `dir` with c's files (c.name is what
// case.txt says; the folder keeps its name), atomically: a reader sees the
// old case or the new one, whole. "" on success, else an error line.
std::string replace_case(const std::string &dir, const RegressionCase &c);

// The case folders under root, sorted: every folder holding all four
// files, except temporaries (dot names).
std::vector<std::string> list_cases(const std::string &root);

// A free case name: `base` if root/base does not exist, else base-2,
// base-3, ...
std::string free_case_name(const std::string &root, const std::string &base);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_REGRESSION_CASE_H_
