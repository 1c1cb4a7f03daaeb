// File forms of a Program.
#include "fuzzers/program/program_io.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_text.h"

namespace nsfuzz {

LoadedProgram load_program(const std::string &path) {
  LoadedProgram out;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    out.error = path + ": cannot read: " + std::strerror(errno);
    return out;
  }
  if (S_ISDIR(st.st_mode)) {
    out.error = path + ": is a folder, expected a Program file";
    return out;
  }
  // stdio, not iostreams: libstdc++'s filebuf throws on a read error.
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    out.error = path + ": cannot read: " + std::strerror(errno);
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    out.bytes.insert(out.bytes.end(), buf, buf + n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) {
    out.error = path + ": cannot read: " + std::strerror(errno);
    return out;
  }
  // Empty bytes decode to a Program (two threads, nothing to do), which no
  // fuzz target ever runs: a tool given an empty file was given nothing.
  if (out.bytes.empty()) {
    out.error = path + ": empty: no Program in it";
    return out;
  }
  InputForm form = read_input(out.bytes.data(), out.bytes.size());
  out.is_text = form.is_text;
  if (!form.note.empty()) out.note = path + ": " + form.note;
  if (!form.ok()) {
    out.error = path + ": " + form.error;
    return out;
  }
  out.program = std::move(form.program);
  return out;
}

}  // namespace nsfuzz
