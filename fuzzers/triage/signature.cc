// Parsing sanitizer, libFuzzer and nsfuzz reports into signatures.
#include "fuzzers/triage/signature.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace nsfuzz {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

struct Frame {
  std::string function;  // bare name
  std::string file;      // as printed, "" when unknown
};

// "#3 0x55d in FUNC /path/file.cc:12:3" (ASan) or "#3 FUNC /path/f.cc:1:2
// (module+0x12)" (TSan); nullopt for a line that is not a frame.
std::optional<Frame> parse_frame(std::string_view line) {
  line = trim(line);
  if (line.size() < 2 || line[0] != '#' || line[1] < '0' || line[1] > '9')
    return std::nullopt;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  line = trim(line.substr(sp));
  if (line.substr(0, 2) == "0x") {
    size_t in = line.find(" in ");
    // "#3 0x7fe5 (libc.so.6+0x3c04f)": a frame without a symbol (a signal
    // handler's caller in a libFuzzer timeout): in the stack, of no function.
    if (in == std::string_view::npos) return Frame{};
    line = line.substr(in + 4);
  }
  // Drop trailing "(module+0x...)" and "(BuildId: ...)", then the location.
  while (!line.empty() && line.back() == ')') {
    size_t open = line.rfind(" (");
    if (open == std::string_view::npos ||
        (line.find('+', open) == std::string_view::npos &&
         line.find("BuildId:", open) == std::string_view::npos))
      break;
    line = trim(line.substr(0, open));
  }
  Frame f;
  size_t last = line.rfind(' ');
  if (last != std::string_view::npos) {
    std::string_view loc = line.substr(last + 1);
    if (loc.find('/') != std::string_view::npos || loc == "<null>") {
      f.file = std::string(loc);
      line = trim(line.substr(0, last));
    }
  }
  f.function = bare_function_name(line);
  return f;
}

// A frame of the model, other than its generic lifetime checks (which say
// how a bug was seen, not where it is).
bool in_model(const Frame &f) {
  if (f.file.find("core/") == std::string::npos ||
      f.file.find("core/testing/") != std::string::npos ||
      f.file.find("core/lifetime.h") != std::string::npos)
    return false;
  return f.function != "check_alive" && f.function != "report_finding";
}

// The first `n` frames of the model in the stack starting at lines[i].
std::string model_frames(const std::vector<std::string_view> &lines, size_t i,
                         int n) {
  std::vector<std::string> names;
  bool in_stack = false;
  for (; i < lines.size() && static_cast<int>(names.size()) < n; ++i) {
    std::optional<Frame> f = parse_frame(lines[i]);
    if (!f) {
      if (in_stack) break;  // the stack ended
      continue;
    }
    in_stack = true;
    if (in_model(*f) && (names.empty() || names.back() != f->function))
      names.push_back(f->function);
  }
  std::string out;
  for (const std::string &s : names) out += (out.empty() ? "" : ">") + s;
  return out.empty() ? "?" : out;
}

// How a kind's tool prefix reads in a table cell, one row per tool.
struct ShortKind {
  std::string_view prefix;  // of Signature::kind
  std::string_view cell;    // "" drops the prefix; "{}" is the rest
};
constexpr ShortKind kShortKinds[] = {
    {"asan:", "{}"},                 // the ASan error type says it all
    {"tsan:", "{}"},                 // "data race", "lock-order-inversion"
    {"lsan:", "leak (LSan)"},        // LeakSanitizer has one kind
    {"nsfuzz:", "nsfuzz: {}"},       // the model's own checks
    {"libfuzzer:", "libFuzzer: {}"}  // timeout, out-of-memory, deadly signal
};

}  // namespace

std::string short_kind(std::string_view kind) {
  for (const ShortKind &k : kShortKinds) {
    if (kind.substr(0, k.prefix.size()) != k.prefix) continue;
    std::string cell(k.cell);
    size_t at = cell.find("{}");
    if (at != std::string::npos)
      cell.replace(at, 2, kind.substr(k.prefix.size()));
    return cell;
  }
  return std::string(kind);
}

std::string bare_function_name(std::string_view s) {
  s = trim(s);
  if (s.size() > 6 && s.substr(s.size() - 6) == " const") s.remove_suffix(6);
  // Drop the parameter list: the parenthesis matching the last ')'.
  if (!s.empty() && s.back() == ')') {
    int depth = 0;
    for (size_t i = s.size(); i-- > 0;) {
      if (s[i] == ')') ++depth;
      if (s[i] == '(' && --depth == 0) {
        s = s.substr(0, i);
        break;
      }
    }
  }
  // Drop template arguments at the end.
  if (!s.empty() && s.back() == '>') {
    int depth = 0;
    for (size_t i = s.size(); i-- > 0;) {
      if (s[i] == '>') ++depth;
      if (s[i] == '<' && --depth == 0) {
        s = s.substr(0, i);
        break;
      }
    }
  }
  size_t colons = s.rfind("::");
  if (colons != std::string_view::npos) s.remove_prefix(colons + 2);
  size_t space = s.rfind(' ');
  if (space != std::string_view::npos) s.remove_prefix(space + 1);
  return std::string(s);
}

std::optional<Signature> signature_of(std::string_view report) {
  std::vector<std::string_view> lines = lines_of(report);
  Signature sig;
  for (std::string_view l : lines)
    if (l.substr(0, 9) == "SUMMARY: ") {
      sig.summary = std::string(trim(l));
      break;
    }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    size_t at;
    if ((at = l.find("==nsfuzz== ERROR: ")) != std::string_view::npos) {
      // The SUMMARY line is "SUMMARY: nsfuzz: <kind> <object> <where>".
      std::istringstream in(sig.summary.substr(
          std::min<size_t>(sig.summary.size(), sizeof("SUMMARY: nsfuzz:"))));
      std::string kind, object, where;
      in >> kind >> object >> where;
      sig.kind = "nsfuzz:" + kind;
      sig.where = object + " " + where;
      return sig;
    }
    if ((at = l.find("ERROR: AddressSanitizer: ")) != std::string_view::npos) {
      std::string_view rest = l.substr(at + 25);
      sig.kind = "asan:" + std::string(rest.substr(0, rest.find(' ')));
      sig.where = model_frames(lines, i + 1, 2);
      return sig;
    }
    if (l.find("ERROR: LeakSanitizer: ") != std::string_view::npos) {
      // Where the first leaked object was allocated.
      sig.kind = "lsan:leak";
      sig.where = model_frames(lines, i + 1, 2);
      return sig;
    }
    if ((at = l.find("WARNING: ThreadSanitizer: ")) != std::string_view::npos) {
      std::string_view rest = trim(l.substr(at + 26));
      sig.kind = "tsan:" + std::string(rest.substr(0, rest.find(" (")));
      // Both accesses of a race, in a fixed order: the pair is the bug.
      std::string first = model_frames(lines, i + 1, 1);
      size_t prev = i + 1;
      while (prev < lines.size() &&
             lines[prev].find("Previous") == std::string_view::npos)
        ++prev;
      std::string second =
          prev < lines.size() ? model_frames(lines, prev + 1, 1) : "?";
      sig.where = std::min(first, second) + "&" + std::max(first, second);
      return sig;
    }
    if ((at = l.find(": runtime error: ")) != std::string_view::npos) {
      sig.kind = "ubsan";
      sig.where = model_frames(lines, i + 1, 2);
      return sig;
    }
    if ((at = l.find("ERROR: libFuzzer: ")) != std::string_view::npos) {
      std::string_view rest = l.substr(at + 18);
      sig.kind = "libfuzzer:" + std::string(rest.substr(0, rest.find(' ')));
      sig.where = model_frames(lines, i + 1, 2);
      return sig;
    }
  }
  return std::nullopt;
}

}  // namespace nsfuzz
