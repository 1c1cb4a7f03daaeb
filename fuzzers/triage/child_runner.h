// A Runner that replays each Program in a child process (a finding ends the
// process that has it): the Program's bytes go to a file in a scratch
// folder, the child runs `command` + that file, and its stdout and stderr
// together are the report.
//
// A child that has not ended after `timeout_seconds` is killed and its run
// is the finding nsfuzz:hang. The timeout only guards: a run that ends is
// judged by what it printed and its exit status, never by how long it took.
#ifndef NSFUZZ_FUZZERS_TRIAGE_CHILD_RUNNER_H_
#define NSFUZZ_FUZZERS_TRIAGE_CHILD_RUNNER_H_

#include <string>
#include <vector>

#include "fuzzers/triage/triage.h"

namespace nsfuzz {

// The kind of the finding a killed child gives.
inline constexpr const char *kHangKind = "nsfuzz:hang";

class ChildRunner : public Runner {
 public:
  // quiet, traced: the child's argv (program first) without the input file;
  // traced is run for run_traced. input: where to write the Program.
  ChildRunner(std::vector<std::string> quiet, std::vector<std::string> traced,
              std::string input, int timeout_seconds);

  // Throws std::runtime_error (one line) if the child cannot be started.
  RunOutcome run(const Program &p) override;
  RunOutcome run_traced(const Program &p) override;

 private:
  RunOutcome run_with(const std::vector<std::string> &argv, const Program &p);

  std::vector<std::string> quiet_, traced_;
  std::string input_;
  int timeout_seconds_;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_TRIAGE_CHILD_RUNNER_H_
