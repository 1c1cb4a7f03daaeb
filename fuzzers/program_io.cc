// File forms of a Program.
#include "fuzzers/program_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "fuzzers/decoder.h"
#include "fuzzers/program_text.h"

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
  InputForm form = read_input(out.bytes.data(), out.bytes.size());
  out.is_text = form.is_text;
  out.note = form.note;
  if (!form.ok()) {
    out.error = path + ": " + form.error;
    return out;
  }
  out.program = std::move(form.program);
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
