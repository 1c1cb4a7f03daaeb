// Printing and parsing of the text form of a Program.
#include "fuzzers/program/program_text.h"

#include <cstdint>
#include <iterator>
#include <optional>

#include "core/uapi.h"
#include "fuzzers/program/decoder.h"
#include "fuzzers/program/op_table.h"
#include "fuzzers/program/validate.h"

namespace nsfuzz {
namespace {

constexpr std::string_view kSpace = " \t";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Decimal digits only, no sign, no overflow.
std::optional<uint32_t> parse_uint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
    if (v > UINT32_MAX) return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

// "<letter><n>", e.g. T3 or h12.
std::optional<uint32_t> parse_ref(std::string_view s, char letter) {
  if (s.empty() || s[0] != letter) return std::nullopt;
  return parse_uint(s.substr(1));
}

std::string print_arg(const Op &op) {
  switch (arg_kind(op.kind)) {
    case ArgKind::NONE: return "";
    case ArgKind::FLAGS: return clone_flags_name(op.arg);
    case ArgKind::TASK: return "T" + std::to_string(op.arg);
    case ArgKind::NAME:
      return name_arg_letter(op.kind) + std::to_string(op.arg);
  }
  return "?";
}

std::string protocols_list() {
  std::string out;
  for (int i = 0; i < kNumProtocols; ++i) {
    if (i) out += i + 1 == kNumProtocols ? " or " : ", ";
    out += protocol_name(static_cast<Protocol>(i));
  }
  return out;
}

// A '#' at the start of a line or after a blank starts a comment (one
// inside a word, as in T1@put_ns#2, does not).
std::string_view strip_comment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return line.substr(0, i);
  return line;
}

// "T1@switch_put_old#2": thread, site, pass.
std::optional<Anchor> parse_anchor(std::string_view s) {
  size_t at = s.find('@'), hash = s.rfind('#');
  if (at == std::string_view::npos || hash == std::string_view::npos ||
      hash < at)
    return std::nullopt;
  std::optional<uint32_t> t = parse_ref(s.substr(0, at), 'T');
  std::optional<Site> site = site_by_name(s.substr(at + 1, hash - at - 1));
  std::optional<uint32_t> nth = parse_uint(s.substr(hash + 1));
  if (!t || !site || !nth || *t > kMaxThreads) return std::nullopt;
  return Anchor{static_cast<int>(*t), *site, *nth};
}

// One pass over the lines; each method returns an error without the "line N:"
// prefix, or "" when the line is fine.
class Parser {
 public:
  ParseResult run(std::string_view text) {
    ParseResult r;
    if (std::string err = read_version(text); !err.empty()) {
      r.error = "line 1: " + err;
      return r;
    }
    int line_no = 1;  // the format line
    while (!text.empty()) {
      ++line_no;
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view()
                                          : text.substr(nl + 1);
      line = strip_comment(line);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      line = trim(line);
      if (line.empty()) continue;
      std::string err = parse_line(line, line_no);
      if (!err.empty()) {
        r.error = "line " + std::to_string(err_line_ ? err_line_ : line_no) +
                  ": " + err;
        return r;
      }
    }
    if (std::string err = close_header(); !err.empty()) {
      r.error = "line " + std::to_string(err_line_) + ": " + err;
      return r;
    }
    r.program = std::move(p_);
    return r;
  }

 private:
  std::string parse_line(std::string_view line, int line_no) {
    size_t word_end = line.find_first_of(" \t:(@");
    std::string_view word = line.substr(0, word_end);
    std::string_view rest = trim(line.substr(word.size()));
    std::optional<uint32_t> thread = parse_ref(word, 'T');
    if (!thread && !rest.empty() && rest[0] == ':')
      return "bad thread " + quote(word) + " (expected T1..T" +
             std::to_string(p_.threads) + ")";
    if (thread) {
      if (rest.empty() || rest[0] != ':')
        return "missing ':' after " + quote(word);
      if (std::string err = close_header(); !err.empty()) return err;
      return parse_op(*thread, trim(rest.substr(1)));
    }
    if (word == "switch") {
      if (std::string err = close_header(); !err.empty()) return err;
      return parse_switch(rest);
    }
    constexpr std::string_view kDirectives[] = {
        "protocol",    "threads",    "privileged", "fail_alloc",
        "policy_seed", "priorities", "preempt",    "limits"};
    for (unsigned i = 0; i < std::size(kDirectives); ++i) {
      if (word != kDirectives[i]) continue;
      bool v1_only = word == "policy_seed";
      bool v2_only = word == "priorities" || word == "preempt";
      if (v1_only && p_.format != kFormatV1)
        return "'policy_seed' is v1's; v2 writes 'priorities' and 'preempt'";
      if (word == "limits" && p_.format != kFormatV2) return "'limits' is v2's";
      if (v2_only && p_.format != kFormatV2)
        return quote(word) + " is v2's; v1 writes 'policy_seed'";
      if (body_) return quote(word) + " after the first operation or switch";
      if (seen_ & (1u << i)) return "duplicate " + quote(word);
      seen_ |= 1u << i;
      return parse_directive(word, rest, line_no);
    }
    if (op_by_name(word)) return "missing 'T<n>:' before " + quote(word);
    return "unknown directive " + quote(word);
  }

  std::string parse_directive(std::string_view d, std::string_view v,
                              int line_no) {
    if (d == "protocol") {
      std::optional<Protocol> proto = parse_protocol(v);
      if (!proto)
        return "unknown protocol " + quote(v) + " (expected " +
               protocols_list() + ")";
      p_.protocol = *proto;
    } else if (d == "threads") {
      std::optional<uint32_t> n = parse_uint(v);
      if (!n || *n < kMinThreads || *n > kMaxThreads)
        return "threads must be " + std::to_string(kMinThreads) + ".." +
               std::to_string(kMaxThreads) + ", got " + quote(v);
      p_.threads = static_cast<int>(*n);
    } else if (d == "privileged") {
      while (!v.empty()) {
        size_t end = v.find_first_of(kSpace);
        std::string_view t = v.substr(0, end);
        std::optional<uint32_t> n = parse_ref(t, 'T');
        if (!n || *n < 1 || *n > kMaxThreads)
          return "bad thread " + quote(t) + " (expected T1..T" +
                 std::to_string(kMaxThreads) + ")";
        p_.privileged |= 1u << *n;
        v = trim(v.substr(t.size()));
      }
      privileged_line_ = line_no;
    } else if (d == "fail_alloc") {
      std::optional<uint32_t> n = parse_uint(v);
      if (!n || *n > kMaxFailAlloc)
        return "fail_alloc must be 0.." + std::to_string(kMaxFailAlloc) +
               ", got " + quote(v);
      p_.fail_alloc = *n;
    } else if (d == "policy_seed") {
      std::optional<uint32_t> n = parse_uint(v);
      if (!n) return "policy_seed must be a 32-bit number, got " + quote(v);
      p_.policy = Policy::unpack(*n);
    } else if (d == "priorities") {
      std::optional<uint32_t> n = parse_uint(v);
      if (!n || *n > 255) return "priorities must be 0..255, got " + quote(v);
      p_.policy.priorities = static_cast<uint8_t>(*n);
    } else if (d == "preempt") {
      constexpr std::string_view kConflicts = "conflicts";
      p_.policy.conflicts = v.substr(0, v.find_first_of(kSpace)) == kConflicts;
      if (p_.policy.conflicts) v = trim(v.substr(kConflicts.size()));
      for (int i = 0; i < 3; ++i) {
        std::string_view w = v.substr(0, v.find_first_of(kSpace));
        std::optional<uint32_t> n = parse_uint(w);
        if (!n || *n > Policy::kMaxPoint)
          return "preempt takes three schedule points 0.." +
                 std::to_string(Policy::kMaxPoint) + " (0: none), got " +
                 quote(w);
        p_.policy.preempt[i] = static_cast<uint8_t>(*n);
        v = trim(v.substr(w.size()));
      }
      if (!v.empty())
        return "preempt takes three points, got more: " + quote(v);
    } else if (d == "limits") {
      if (std::string err = parse_limits(v, &p_.limits); !err.empty())
        return err;
      limits_line_ = line_no;
    }
    return "";
  }

  // Checks that need every directive: called once, before the first op or
  // switch (or at the end).
  std::string close_header() {
    if (body_) return "";
    body_ = true;
    if (p_.privileged & ~thread_mask(p_.threads)) {
      err_line_ = privileged_line_;
      return "privileged names a thread beyond T" + std::to_string(p_.threads) +
             " (threads " + std::to_string(p_.threads) + ")";
    }
    if (p_.limits.tasks < 1 + p_.threads) {
      err_line_ = limits_line_;
      return "limits tasks=" + std::to_string(p_.limits.tasks) +
             " leaves no room for init and " + std::to_string(p_.threads) +
             " threads (at least " + std::to_string(1 + p_.threads) + ")";
    }
    return "";
  }

  std::string thread_error(uint32_t t) {
    if (t >= 1 && t <= static_cast<uint32_t>(p_.threads)) return "";
    return "thread T" + std::to_string(t) + " out of range (threads " +
           std::to_string(p_.threads) + ")";
  }

  std::string parse_op(uint32_t thread, std::string_view call) {
    if (std::string err = thread_error(thread); !err.empty()) return err;
    if (call.empty()) return "missing operation after ':'";
    if (p_.ops.size() >= kMaxOps)
      return "too many operations (max " + std::to_string(kMaxOps) + ")";
    size_t open = call.find('(');
    std::string_view name = trim(call.substr(0, open));
    std::optional<OpKind> kind = op_by_name(name);
    if (!kind) return "unknown operation " + quote(name);
    if (open == std::string_view::npos || call.back() != ')')
      return "expected " + quote(std::string(name) + "(...)");
    std::string_view a = trim(call.substr(open + 1, call.size() - open - 2));
    Op op{.thread = static_cast<int>(thread), .kind = *kind, .arg = 0};
    switch (arg_kind(*kind)) {
      case ArgKind::NONE:
        if (!a.empty()) return quote(name) + " takes no argument";
        break;
      case ArgKind::FLAGS: {
        std::optional<uint32_t> f = parse_clone_flags(a);
        if (!f || !arg_is_valid(ArgKind::FLAGS, *f))
          return "bad flags " + quote(a) +
                 " (expected 0 or NEWNS|NEWUTS|NEWIPC|NEWPID|NEWNET)";
        op.arg = *f;
        break;
      }
      case ArgKind::TASK: {
        std::optional<uint32_t> t = parse_ref(a, 'T');
        if (!t || *t > kMaxTaskArg)
          return "bad task " + quote(a) + " (expected T0..T" +
                 std::to_string(kMaxTaskArg) + ")";
        op.arg = *t;
        break;
      }
      case ArgKind::NAME: {
        char letter = name_arg_letter(*kind);
        std::optional<uint32_t> n = parse_ref(a, letter);
        if (!n || *n > kMaxNameArg)
          return "bad name " + quote(a) + " (expected " + letter + "0.." +
                 letter + std::to_string(kMaxNameArg) + ")";
        op.arg = *n;
        break;
      }
    }
    p_.ops.push_back(op);
    return "";
  }

  std::string parse_switch(std::string_view rest) {
    std::string s;  // without blanks: "@4->T2" (v1), "T1@put_ns#2->T2" (v2)
    for (char c : rest)
      if (c != ' ' && c != '\t') s += c;
    std::string_view v = s;
    size_t arrow = v.find("->");
    std::optional<uint32_t> thread;
    if (arrow != std::string_view::npos)
      thread = parse_ref(v.substr(arrow + 2), 'T');
    if (p_.switches.size() + p_.step_switches.size() >= kMaxSwitches)
      return "too many switches (max " + std::to_string(kMaxSwitches) + ")";
    if (p_.format == kFormatV1) {
      std::optional<uint32_t> point;
      if (v.size() > 1 && v[0] == '@' && arrow != std::string_view::npos)
        point = parse_uint(v.substr(1, arrow - 1));
      if (!point || !thread) return "expected 'switch @<point> -> T<n>' (v1)";
      if (*point == 0) return "switch point must be >= 1";
      if (!p_.step_switches.empty() && *point <= p_.step_switches.back().point)
        return "switch @" + std::to_string(*point) + " not after @" +
               std::to_string(p_.step_switches.back().point) +
               " (points must increase)";
      if (std::string err = thread_error(*thread); !err.empty()) return err;
      p_.step_switches.push_back(
          {.point = *point, .thread = static_cast<int>(*thread)});
      return "";
    }
    std::optional<Anchor> at;
    if (arrow != std::string_view::npos) at = parse_anchor(v.substr(0, arrow));
    if (!at || !thread)
      return "expected 'switch T<n>@<site>#<pass> -> T<m>', got " +
             quote(trim(rest));
    if (std::string err = thread_error(at->thread); !err.empty()) return err;
    if (std::string err = thread_error(*thread); !err.empty()) return err;
    Switch sw{*at, static_cast<int>(*thread)};
    Program probe = p_;
    probe.switches.push_back(sw);
    if (std::string why; !is_valid(probe, &why))
      return why.substr(why.find(": ") + 2);  // "switch N: " is our line
    p_.switches.push_back(sw);
    return "";
  }

  // The first line names the format: "# nsfuzz program v2".
  std::string read_version(std::string_view &text) {
    size_t nl = text.find('\n');
    std::string_view first = trim(text.substr(0, nl));
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    if (first.substr(0, kTextMagic.size()) != kTextMagic)
      return "expected '" + std::string(kTextMagic) + " v2' first, got " +
             quote(first.substr(0, 40));
    std::string_view version = trim(first.substr(kTextMagic.size()));
    if (version == "v1")
      p_.format = kFormatV1;
    else if (version == "v2")
      p_.format = kFormatV2;
    else
      return "unsupported format " + quote(version) +
             " (this build reads v1 and v2)";
    text =
        nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    return "";
  }

  Program p_;
  bool body_ = false;  // an op or switch was seen: no more directives
  unsigned seen_ = 0;  // bit i: kDirectives[i] was seen
  int privileged_line_ = 0;
  int limits_line_ = 0;
  int err_line_ = 0;  // overrides the current line in an error
};

}  // namespace

std::string print_op(const Op &op) {
  return std::string(op_name(op.kind)) + "(" + print_arg(op) + ")";
}

std::string print_anchor(const Anchor &a) {
  return "T" + std::to_string(a.thread) + "@" + std::string(site_name(a.site)) +
         "#" + std::to_string(a.nth);
}

std::string print_limits(const Limits &l) {
  std::string out;
  if (l.tasks != Limits{}.tasks) out += "tasks=" + std::to_string(l.tasks);
  if (l.mounts != Limits{}.mounts)
    out += (out.empty() ? "mounts=" : " mounts=") + std::to_string(l.mounts);
  return out;
}

std::string parse_limits(std::string_view s, Limits *out) {
  struct Key {
    std::string_view name;
    int Limits::*field;
    int max;
  };
  constexpr Key kKeys[] = {{"tasks", &Limits::tasks, kMaxTasks},
                           {"mounts", &Limits::mounts, kMaxMountsPerNs}};
  Limits l;
  unsigned seen = 0;
  s = trim(s);
  if (s.empty()) return "limits takes tasks=N and/or mounts=N, got nothing";
  while (!s.empty()) {
    std::string_view word = s.substr(0, s.find_first_of(kSpace));
    s = trim(s.substr(word.size()));
    size_t eq = word.find('=');
    std::string_view name = word.substr(0, eq);
    unsigned i = 0;
    while (i < std::size(kKeys) && kKeys[i].name != name) ++i;
    if (eq == std::string_view::npos || i == std::size(kKeys))
      return "limits takes tasks=N and/or mounts=N, got " + quote(word);
    if (seen & (1u << i)) return "duplicate limits key " + quote(name);
    seen |= 1u << i;
    std::optional<uint32_t> n = parse_uint(word.substr(eq + 1));
    if (!n || *n < 1 || *n > static_cast<uint32_t>(kKeys[i].max))
      return "limits " + std::string(name) + " must be 1.." +
             std::to_string(kKeys[i].max) + ", got " +
             quote(word.substr(eq + 1));
    l.*kKeys[i].field = static_cast<int>(*n);
  }
  *out = l;
  return "";
}

std::string print_program(const Program &p) {
  std::string out =
      std::string(kTextMagic) + " v" + std::to_string(p.format) + "\n";
  out += "protocol " + std::string(protocol_name(p.protocol)) + "\n";
  out += "threads " + std::to_string(p.threads) + "\n";
  if (p.privileged) {
    out += "privileged";
    for (int t = 1; t <= p.threads; ++t)
      if (p.privileged & (1u << t)) out += " T" + std::to_string(t);
    out += "\n";
  }
  if (p.fail_alloc) out += "fail_alloc " + std::to_string(p.fail_alloc) + "\n";
  if (!p.limits.is_default()) out += "limits " + print_limits(p.limits) + "\n";
  if (p.format == kFormatV1) {
    if (uint32_t bits = p.policy.pack())
      out += "policy_seed " + std::to_string(bits) + "\n";
  } else {
    if (p.policy.priorities)
      out += "priorities " + std::to_string(p.policy.priorities) + "\n";
    // `conflicts` with no change point changes no run, but the bytes carry
    // it, so the text does too ("preempt conflicts 0 0 0").
    if (p.policy.has_preemptions() || p.policy.conflicts) {
      out += p.policy.conflicts ? "preempt conflicts" : "preempt";
      for (uint8_t point : p.policy.preempt) out += " " + std::to_string(point);
      out += "\n";
    }
  }
  for (const Op &op : p.ops)
    out += "T" + std::to_string(op.thread) + ": " + print_op(op) + "\n";
  for (const Switch &s : p.switches)
    out += "switch " + print_anchor(s.at) + " -> T" + std::to_string(s.thread) +
           "\n";
  for (const StepSwitch &s : p.step_switches)
    out += "switch @" + std::to_string(s.point) + " -> T" +
           std::to_string(s.thread) + "\n";
  return out;
}

ParseResult parse_program(std::string_view text) {
  return Parser().run(text);
}

InputForm read_input(const uint8_t *data, size_t size) {
  InputForm in;
  std::string_view text(reinterpret_cast<const char *>(data), size);
  if (text.substr(0, kTextMagic.size()) == kTextMagic) {
    in.is_text = true;
    ParseResult r = parse_program(text);
    in.program = std::move(r.program);
    in.error = std::move(r.error);
    return in;
  }
  in.program = decode(data, size);
  bool printable = size > 0;
  for (char c : text)
    printable &= (c >= ' ' && c <= '~') || c == '\n' || c == '\t';
  if (printable && text.find("T1:") != std::string_view::npos)
    in.note =
        "read as bytes, as the fuzz targets read it: a text Program "
        "must start with '" +
        std::string(kTextMagic) + " v2'";
  return in;
}

Program program_to_mutate(const uint8_t *data, size_t size) {
  InputForm in = read_input(data, size);
  return in.ok() ? in.program : decode(data, size);
}

}  // namespace nsfuzz
