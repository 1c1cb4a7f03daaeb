// program_tool: converts Programs between their text form and their bytes.
//
//   program_tool encode IN OUT   write IN's canonical bytes to OUT
//   program_tool print IN        print IN's text form
//
// IN is either form (see program_io.h). OUT is written atomically and never
// overwritten: an existing OUT is an error.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "fuzzers/decoder.h"
#include "fuzzers/program_io.h"
#include "fuzzers/program_text.h"

int main(int argc, char **argv) {
  using namespace nsfuzz;
  std::string cmd = argc > 1 ? argv[1] : "";
  if (!((cmd == "encode" && argc == 4) || (cmd == "print" && argc == 3))) {
    std::fprintf(
        stderr, "program_tool: usage: program_tool encode IN OUT | print IN\n");
    return 2;
  }
  LoadedProgram in = load_program(argv[2]);
  if (!in.ok()) {
    std::fprintf(stderr, "program_tool: %s\n", in.error.c_str());
    return 1;
  }
  if (cmd == "print") {
    std::fputs(print_program(in.program).c_str(), stdout);
    return 0;
  }
  struct stat st;
  if (stat(argv[3], &st) == 0) {
    std::fprintf(stderr, "program_tool: %s exists; not overwriting it\n",
                 argv[3]);
    return 1;
  }
  std::string err = write_file_atomic(argv[3], encode(in.program));
  if (!err.empty()) {
    std::fprintf(stderr, "program_tool: %s\n", err.c_str());
    return 1;
  }
  return 0;
}
