// Reading and writing regression cases.
#include "fuzzers/triage/regression_case.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzzers/program/decoder.h"
#include "fuzzers/program/program_io.h"
#include "fuzzers/program/program_text.h"
#include "fuzzers/triage/temp_files.h"

namespace nsfuzz {
namespace fs = std::filesystem;

namespace {

constexpr const char *kHeader = "# nsfuzz regression case v1";
const char *const kFiles[] = {"case.txt", "program.txt", "input.bin",
                              "report.txt"};
constexpr const char *kNameChars = "abcdefghijklmnopqrstuvwxyz0123456789_-";
const char *const kRequired[] = {"name",      "bug",       "protocol",
                                 "sanitizer", "signature", "summary"};

std::string read_text(const fs::path &p, bool *ok) {
  std::ifstream in(p, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The four files of a case, by name.
std::map<std::string, std::vector<uint8_t>> case_files(
    const RegressionCase &c) {
  std::string meta = std::string(kHeader) + "\n";
  meta += "name: " + c.name + "\nbug: " + c.bug + "\nprotocol: " + c.protocol +
          "\nsanitizer: " + c.sanitizer + "\nsignature: " + c.signature +
          "\nsummary: " + c.summary + "\n";
  for (const auto &[k, v] : c.stats) meta += k + ": " + v + "\n";
  auto bytes = [](const std::string &s) {
    return std::vector<uint8_t>(s.begin(), s.end());
  };
  return {{"case.txt", bytes(meta)},
          {"program.txt", bytes(print_program(c.program))},
          {"input.bin", encode(c.program)},
          {"report.txt", bytes(c.report)}};
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

bool valid_case_name(const std::string &name) {
  return !name.empty() && name.size() <= 64 && name[0] != '-' &&
         name.find_first_not_of(kNameChars) == std::string::npos;
}

std::string write_case(const std::string &root, const RegressionCase &c) {
  if (!valid_case_name(c.name))
    return "bad case name '" + c.name + "' (use a-z, 0-9, _ and -)";
  sweep_temporaries(root);
  return write_dir_atomic(root, c.name, case_files(c));
}

std::string replace_case(const std::string &dir, const RegressionCase &c) {
  fs::path d = fs::path(dir).lexically_normal();
  if (d.filename().empty()) d = d.parent_path();  // "regressions/x/"
  std::string root = d.parent_path().empty() ? "." : d.parent_path().string();
  sweep_temporaries(root);
  return replace_dir_atomic(root, d.filename().string(), case_files(c));
}

std::vector<std::string> list_cases(const std::string &root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(root, ec)) {
    if (is_temporary(e.path().filename().string())) continue;
    std::error_code dir_ec;
    if (!e.is_directory(dir_ec)) continue;
    bool complete = true;
    for (const char *f : kFiles)
      complete &= fs::is_regular_file(e.path() / f, dir_ec);
    if (complete) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string free_case_name(const std::string &root, const std::string &base) {
  std::error_code ec;
  std::string name = base;
  for (int n = 2; fs::exists(fs::path(root) / name, ec); ++n)
    name = base + "-" + std::to_string(n);
  return name;
}

}  // namespace nsfuzz
