// Printing and parsing of the text form of a Program.
#include "fuzzers/program_text.h"

#include <cstdint>
#include <iterator>
#include <optional>

#include "core/uapi.h"
#include "fuzzers/decoder.h"
#include "fuzzers/op_table.h"
#include "fuzzers/validate.h"

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

// One pass over the lines; each method returns an error without the "line N:"
// prefix, or "" when the line is fine.
class Parser {
 public:
  ParseResult run(std::string_view text) {
    ParseResult r;
    int line_no = 0;
    while (!text.empty()) {
      ++line_no;
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view()
                                          : text.substr(nl + 1);
      if (size_t hash = line.find('#'); hash != std::string_view::npos)
        line = line.substr(0, hash);
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
        "protocol", "threads", "privileged", "fail_alloc", "policy_seed"};
    for (unsigned i = 0; i < std::size(kDirectives); ++i) {
      if (word != kDirectives[i]) continue;
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
      p_.policy_seed = *n;
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
    std::string s;  // without blanks: "@4->T2"
    for (char c : rest)
      if (c != ' ' && c != '\t') s += c;
    std::string_view v = s;
    size_t arrow = v.find("->");
    std::optional<uint32_t> point, thread;
    if (v.size() > 1 && v[0] == '@' && arrow != std::string_view::npos) {
      point = parse_uint(v.substr(1, arrow - 1));
      thread = parse_ref(v.substr(arrow + 2), 'T');
    }
    if (!point || !thread) return "expected 'switch @<point> -> T<n>'";
    if (*point == 0) return "switch point must be >= 1";
    if (!p_.switches.empty() && *point <= p_.switches.back().point)
      return "switch @" + std::to_string(*point) + " not after @" +
             std::to_string(p_.switches.back().point) +
             " (points must increase)";
    if (std::string err = thread_error(*thread); !err.empty()) return err;
    if (p_.switches.size() >= kMaxSwitches)
      return "too many switches (max " + std::to_string(kMaxSwitches) + ")";
    p_.switches.push_back(
        {.point = *point, .thread = static_cast<int>(*thread)});
    return "";
  }

  Program p_;
  bool body_ = false;  // an op or switch was seen: no more directives
  unsigned seen_ = 0;  // bit i: kDirectives[i] was seen
  int privileged_line_ = 0;
  int err_line_ = 0;  // overrides the current line in an error
};

}  // namespace

std::string print_op(const Op &op) {
  return std::string(op_name(op.kind)) + "(" + print_arg(op) + ")";
}

std::string print_program(const Program &p) {
  std::string out = "# nsfuzz program v1\n";
  out += "protocol " + std::string(protocol_name(p.protocol)) + "\n";
  out += "threads " + std::to_string(p.threads) + "\n";
  if (p.privileged) {
    out += "privileged";
    for (int t = 1; t <= p.threads; ++t)
      if (p.privileged & (1u << t)) out += " T" + std::to_string(t);
    out += "\n";
  }
  if (p.fail_alloc) out += "fail_alloc " + std::to_string(p.fail_alloc) + "\n";
  if (p.policy_seed)
    out += "policy_seed " + std::to_string(p.policy_seed) + "\n";
  for (const Op &op : p.ops)
    out += "T" + std::to_string(op.thread) + ": " + print_op(op) + "\n";
  for (const Switch &s : p.switches)
    out += "switch @" + std::to_string(s.point) + " -> T" +
           std::to_string(s.thread) + "\n";
  return out;
}

ParseResult parse_program(std::string_view text) {
  return Parser().run(text);
}

Program program_from_input(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  if (text.substr(0, kTextMagic.size()) == kTextMagic) {
    ParseResult r = parse_program(text);
    if (r.ok()) return r.program;
  }
  return decode(data, size);
}

}  // namespace nsfuzz
