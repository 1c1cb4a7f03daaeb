// Command-line helpers of the tools.
#include "fuzzers/cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace nsfuzz {

void usage_exit(const char *tool, const std::string &msg) {
  std::fprintf(stderr, "%s: %s (see %s --help)\n", tool, printable(msg).c_str(),
               tool);
  std::exit(2);
}

int error_line(const char *tool, const std::string &msg) {
  std::fprintf(stderr, "%s: %s\n", tool, printable(msg).c_str());
  return 1;
}

LoadedProgram load_user_program(const std::string &file, const char *tool) {
  LoadedProgram in;
  try {
    in = load_program(user_path(file));
  } catch (const std::exception &e) {
    in.error = file + ": cannot read: " + e.what();
  }
  if (in.ok() && !in.note.empty())
    std::fprintf(stderr, "%s: note: %s\n", tool, printable(in.note).c_str());
  return in;
}

std::optional<int64_t> parse_int(std::string_view s, int64_t lo, int64_t hi) {
  bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (negative) v = -v;
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

namespace {

std::string under_env(const char *var, const std::string &path) {
  const char *base = std::getenv(var);
  if (path.empty() || path[0] == '/' || !base || !*base) return path;
  return std::string(base) + "/" + path;
}

}  // namespace

std::string user_path(const std::string &path) {
  return under_env("BUILD_WORKING_DIRECTORY", path);
}

std::string workspace_path(const std::string &path) {
  return under_env("BUILD_WORKSPACE_DIRECTORY", path);
}

std::optional<int64_t> number_flag(std::string_view name, std::string_view v,
                                   int64_t lo, int64_t hi, std::string *why) {
  std::optional<int64_t> n = parse_int(v, lo, hi);
  if (!n)
    *why = std::string(name) + " expects a whole number from " +
           std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
           std::string(v) + "'";
  return n;
}

int64_t number_flag_or_exit(const char *tool, std::string_view name,
                            std::string_view v, int64_t lo, int64_t hi) {
  std::string why;
  std::optional<int64_t> n = number_flag(name, v, lo, hi, &why);
  if (!n) usage_exit(tool, why);
  return *n;
}

std::optional<std::string_view> flag_value(std::string_view arg,
                                           std::string_view name) {
  if (arg.substr(0, name.size()) != name) return std::nullopt;
  return arg.substr(name.size());
}

}  // namespace nsfuzz
