// Case-insensitive glob and substring matching for classification rules (error_rules.hpp).
// The glob is the classic two-cursor match that remembers only the last '*': linear in practice,
// O(value x pattern) at worst, never exponential (unlike a backtracking regex).
#include "edgescope/monitoring/error_rules.hpp"

namespace edgescope::monitoring {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool glob_match(std::string_view p, std::string_view v) {
  std::size_t pi = 0, vi = 0, star = std::string_view::npos, resume = 0;
  while (vi < v.size()) {
    if (pi < p.size() && p[pi] == '*') {  // before the literal test: a '*' in the value is not one
      star = pi++;
      resume = vi;
    } else if (pi < p.size() && (p[pi] == '?' || p[pi] == lower(v[vi]))) {
      ++pi;
      ++vi;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      vi = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool contains(std::string_view p, std::string_view v) {
  if (p.size() > v.size()) return false;
  for (std::size_t i = 0; i + p.size() <= v.size(); ++i) {
    std::size_t j = 0;
    while (j < p.size() && p[j] == lower(v[i + j])) ++j;
    if (j == p.size()) return true;
  }
  return false;
}

}  // namespace

bool match_pattern(std::string_view pattern, bool glob, std::string_view value) {
  return glob ? glob_match(pattern, value) : contains(pattern, value);
}

}  // namespace edgescope::monitoring
