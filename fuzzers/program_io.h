// Reading a Program from a file (its text form or its bytes). Writing files
// atomically: fuzzers/temp_files.h.
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

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_IO_H_
