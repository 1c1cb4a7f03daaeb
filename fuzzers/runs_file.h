// A count of executor runs kept in a file that outlives a finding's abort:
// NSFUZZ_RUNS_FILE=<path> maps its first 8 bytes (a native uint64_t), which
// ci/bug-hunt and ci/bench read (`od -An -tu8`) when the process has ended,
// however it ended. Used by the fuzz targets and bench/baseline_hunt.
#ifndef NSFUZZ_FUZZERS_RUNS_FILE_H_
#define NSFUZZ_FUZZERS_RUNS_FILE_H_

#include <cstdint>

namespace nsfuzz {

class RunsFile {
 public:
  // Maps NSFUZZ_RUNS_FILE when it is set (exits 2 with one line if it
  // cannot); counts nothing otherwise.
  static RunsFile from_env(const char *tool);
  void count() {
    if (n_) *n_ = *n_ + 1;
  }

 private:
  volatile uint64_t *n_ = nullptr;
};

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_RUNS_FILE_H_
