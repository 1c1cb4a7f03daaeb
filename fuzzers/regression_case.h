// A regression case: one minimized finding, committed under regressions/.
//
// regressions/<name>/ holds
//   case.txt     "key: value" lines: what the case needs and must produce
//   program.txt  the minimized Program, text form
//   input.bin    its canonical bytes
//   report.txt   an excerpt of the report it produced when recorded
// A case is written into a temporary folder that is then renamed into
// place: it appears whole or not at all, and an existing case is never
// overwritten.
#ifndef NSFUZZ_FUZZERS_REGRESSION_CASE_H_
#define NSFUZZ_FUZZERS_REGRESSION_CASE_H_

#include <map>
#include <string>
#include <vector>

#include "fuzzers/program.h"

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

// Writes root/<c.name>/ atomically; "" on success, else an error line. An
// existing folder of that name is an error, and leaves it untouched.
std::string write_case(const std::string &root, const RegressionCase &c);

// The case folders under root (those with a case.txt), sorted.
std::vector<std::string> list_cases(const std::string &root);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_REGRESSION_CASE_H_
