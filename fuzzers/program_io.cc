// File forms of a Program.
#include "fuzzers/program_io.h"

#include <unistd.h>

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

std::string write_file_atomic(const std::string &path,
                              const std::vector<uint8_t> &bytes) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) return tmp + ": cannot create: " + std::strerror(errno);
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok &= std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok &= std::fclose(f) == 0;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = path + ": cannot write: " + std::strerror(errno);
    std::remove(tmp.c_str());
    return err;
  }
  return "";
}

}  // namespace nsfuzz
