// Runs in child processes, with a timeout that kills a hung child.
#include "fuzzers/triage/child_runner.h"

#include <sys/wait.h>

#include <stdexcept>

#include "fuzzers/exec/schedule.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/triage/subprocess.h"
#include "fuzzers/triage/temp_files.h"

namespace nsfuzz {

ChildRunner::ChildRunner(std::vector<std::string> quiet,
                         std::vector<std::string> traced, std::string input,
                         int timeout_seconds)
    : quiet_(std::move(quiet)),
      traced_(std::move(traced)),
      input_(std::move(input)),
      timeout_seconds_(timeout_seconds) {}

RunOutcome ChildRunner::run(const Program &p) {
  return run_with(quiet_, p);
}

RunOutcome ChildRunner::run_traced(const Program &p) {
  return run_with(traced_, p);
}

RunOutcome ChildRunner::run_with(const std::vector<std::string> &command,
                                 const Program &p) {
  std::string err = write_file_atomic(input_, encode(p));
  if (!err.empty()) throw std::runtime_error(err);
  std::vector<std::string> args = command;
  args.push_back(input_);
  // The report: stdout and stderr; the schedule's records (schedule.h) on
  // the data fd, 3.
  std::string records;
  ChildExit end;
  err = run_command(
      {.stdout_to_report = true, .timeout_seconds = timeout_seconds_}, args,
      [&](const char *data, size_t n) { records.append(data, n); }, &end);
  if (!err.empty()) throw std::runtime_error(err);
  RunOutcome o;
  o.report = std::move(end.report);
  o.schedule = read_records(records);
  if (end.timed_out) {
    std::string summary = "SUMMARY: nsfuzz: hang: no end after " +
                          std::to_string(timeout_seconds_) + " s (killed)";
    o.report += "\n" + summary + "\n";
    o.finding = Signature{kHangKind, "?", summary};
    return o;
  }
  int status = end.status;
  o.finding = signature_of(o.report);
  if (!o.finding && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    o.finding = Signature{"crash:unparsed", "?",
                          "exit status " + std::to_string(status)};
  return o;
}

}  // namespace nsfuzz
