// Reading a Program from a file (its text form or its bytes). Writing files
// atomically: fuzzers/triage/temp_files.h.
#ifndef NSFUZZ_FUZZERS_PROGRAM_PROGRAM_IO_H_
#define NSFUZZ_FUZZERS_PROGRAM_PROGRAM_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "fuzzers/program/program.h"

namespace nsfuzz {

struct LoadedProgram {
  Program program;
  bool is_text = false;        // the file held the text form
  std::vector<uint8_t> bytes;  // the file's bytes
  std::string error;           // one line; empty on success
  std::string note;            // worth saying, e.g. bytes that look like text
  bool ok() const { return error.empty(); }
};

// The file read as read_input (program_text.h) reads every input: text when
// it starts with "# nsfuzz program" (which must then parse), bytes
// otherwise. A folder, a missing, unreadable or empty file is an error.
LoadedProgram load_program(const std::string &path);

}  // namespace nsfuzz

#endif  // NSFUZZ_FUZZERS_PROGRAM_PROGRAM_IO_H_
