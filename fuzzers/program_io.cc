// File forms of a Program.
#include "fuzzers/program_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include "fuzzers/decoder.h"
#include "fuzzers/program_text.h"

namespace nsfuzz {

LoadedProgram load_program(const std::string &path) {
  LoadedProgram out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.error = path + ": cannot read: " + std::strerror(errno);
    return out;
  }
  out.bytes.assign(std::istreambuf_iterator<char>(in),
                   std::istreambuf_iterator<char>());
  std::string_view view(reinterpret_cast<const char *>(out.bytes.data()),
                        out.bytes.size());
  if (view.substr(0, kTextMagic.size()) == kTextMagic) {
    out.is_text = true;
    ParseResult r = parse_program(view);
    if (!r.ok()) {
      out.error = path + ": " + r.error;
      return out;
    }
    out.program = r.program;
    return out;
  }
  out.program = decode(out.bytes);
  return out;
}

}  // namespace nsfuzz
