// Reading and writing regression cases.
#include "fuzzers/regression_case.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzzers/decoder.h"
#include "fuzzers/program_io.h"
#include "fuzzers/program_text.h"

namespace nsfuzz {
namespace fs = std::filesystem;

namespace {

constexpr const char *kHeader = "# nsfuzz regression case v1";
const char *const kRequired[] = {"name",      "bug",       "protocol",
                                 "sanitizer", "signature", "summary"};

std::string read_text(const fs::path &p, bool *ok) {
  std::ifstream in(p, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool read_case(const std::string &dir, RegressionCase *out,
               std::string *error) {
  bool ok;
  fs::path d(dir);
  std::string text = read_text(d / "case.txt", &ok);
  if (!ok) {
    *error = (d / "case.txt").string() + ": cannot read";
    return false;
  }
  std::map<std::string, std::string> kv;
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    if (n == 1 && line != kHeader) {
      *error = (d / "case.txt").string() + ":1: expected '" + kHeader + "'";
      return false;
    }
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      *error = (d / "case.txt").string() + ":" + std::to_string(n) +
               ": expected 'key: value'";
      return false;
    }
    kv[line.substr(0, colon)] = line.substr(colon + 2);
  }
  for (const char *k : kRequired)
    if (!kv.count(k)) {
      *error = (d / "case.txt").string() + ": missing '" + k + "'";
      return false;
    }
  RegressionCase c;
  c.name = kv["name"], c.bug = kv["bug"], c.protocol = kv["protocol"];
  c.sanitizer = kv["sanitizer"], c.signature = kv["signature"];
  c.summary = kv["summary"];
  for (const auto &[k, v] : kv)
    if (std::find(std::begin(kRequired), std::end(kRequired), k) ==
        std::end(kRequired))
      c.stats[k] = v;
  LoadedProgram prog = load_program((d / "program.txt").string());
  if (!prog.ok()) {
    *error = prog.error;
    return false;
  }
  LoadedProgram bin = load_program((d / "input.bin").string());
  if (!bin.ok()) {
    *error = bin.error;
    return false;
  }
  if (!(bin.program == prog.program)) {
    *error = (d / "input.bin").string() + ": does not decode to program.txt";
    return false;
  }
  c.program = prog.program;
  c.report = read_text(d / "report.txt", &ok);
  *out = c;
  return true;
}

std::string write_case(const std::string &root, const RegressionCase &c) {
  if (c.name.empty() ||
      c.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") !=
          std::string::npos)
    return "bad case name '" + c.name + "' (use a-z, 0-9, _ and -)";
  fs::path final_dir = fs::path(root) / c.name;
  std::error_code ec;
  if (fs::exists(final_dir, ec))
    return final_dir.string() + " exists already; not overwriting it";
  fs::path tmp =
      fs::path(root) / (".tmp-" + c.name + "-" + std::to_string(getpid()));
  fs::create_directories(tmp, ec);
  if (ec) return tmp.string() + ": cannot create: " + ec.message();
  std::string meta = std::string(kHeader) + "\n";
  meta += "name: " + c.name + "\nbug: " + c.bug + "\nprotocol: " + c.protocol +
          "\nsanitizer: " + c.sanitizer + "\nsignature: " + c.signature +
          "\nsummary: " + c.summary + "\n";
  for (const auto &[k, v] : c.stats) meta += k + ": " + v + "\n";
  std::string text = print_program(c.program);
  auto bytes = [](const std::string &s) {
    return std::vector<uint8_t>(s.begin(), s.end());
  };
  std::string err;
  if (err.empty())
    err = write_file_atomic((tmp / "case.txt").string(), bytes(meta));
  if (err.empty())
    err = write_file_atomic((tmp / "program.txt").string(), bytes(text));
  if (err.empty())
    err = write_file_atomic((tmp / "input.bin").string(), encode(c.program));
  if (err.empty())
    err = write_file_atomic((tmp / "report.txt").string(), bytes(c.report));
  // rename(2) of a directory fails if the target exists and is not empty:
  // a case written meanwhile by someone else is not replaced.
  if (err.empty() && std::rename(tmp.c_str(), final_dir.c_str()) != 0)
    err = final_dir.string() + ": cannot create: " + std::strerror(errno);
  if (!err.empty()) fs::remove_all(tmp, ec);
  return err;
}

std::vector<std::string> list_cases(const std::string &root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(root, ec))
    if (e.is_directory() && fs::exists(e.path() / "case.txt"))
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace nsfuzz
