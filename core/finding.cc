// Reporting of the core's own findings.
#include "core/finding.h"

#include <cstdio>
#include <cstdlib>

namespace nsfuzz {
namespace {

void print_and_abort(const Finding &f) {
  std::string text = format_finding(f);
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

FindingHandler handler = print_and_abort;

}  // namespace

std::string_view finding_kind_name(FindingKind k) {
  switch (k) {
    case FindingKind::leak: return "leak";
    case FindingKind::double_free: return "double-free";
    case FindingKind::refcount_underflow: return "refcount-underflow";
    case FindingKind::use_after_free: return "use-after-free";
    case FindingKind::deadlock: return "deadlock";
    case FindingKind::sleep_in_atomic: return "sleep-in-atomic";
    case FindingKind::step_bound: return "step-bound";
  }
  return "?";
}

std::string format_finding(const Finding &f) {
  std::string out = "==nsfuzz== ERROR: ";
  out += finding_kind_name(f.kind);
  out += " on ";
  out += f.object;
  out += " in ";
  out += f.where;
  out += ": ";
  out += f.message;
  out += "\nSUMMARY: nsfuzz: ";
  out += finding_kind_name(f.kind);
  out += ' ';
  out += f.object;
  out += ' ';
  out += f.where;
  out += '\n';
  return out;
}

FindingHandler set_finding_handler(FindingHandler h) {
  FindingHandler old = handler;
  handler = h ? h : print_and_abort;
  return old;
}

void report_finding(FindingKind kind, std::string object, std::string where,
                    std::string message) {
  handler(
      Finding{kind, std::move(object), std::move(where), std::move(message)});
}

}  // namespace nsfuzz
