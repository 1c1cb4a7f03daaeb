// Reading a Program from a file (its text form or its bytes) and writing
// files atomically.
#ifndef NSFUZZ_FUZZERS_PROGRAM_IO_H_
#define NSFUZZ_FUZZERS_PROGRAM_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/program.h"

namespace nsfuzz {

struct LoadedProgram {
  Program program;
  bool is_text = false;        // the file held the text form
  std::vector<uint8_t> bytes;  // the file's bytes
  std::string error;           // one line; empty on success
  bool ok() const { return error.empty(); }
};

// Text when the file starts with "# nsfuzz program" (a person's file, which
// must then parse), bytes otherwise (any bytes decode).
LoadedProgram load_program(const std::string &path);

// Writes to PATH.tmp.<pid>, then renames over PATH: a reader never sees a
// half-written file. Returns an error line, or "" on success.
std::string write_file_atomic(const std::string &path,
                              const std::vector<uint8_t> &bytes);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_IO_H_
