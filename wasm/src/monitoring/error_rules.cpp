// Reading packed classification rules (error_rules.hpp). The shim validated the user's JSON and
// named the path of any problem; this reader still checks every byte (a host bug must not become
// a wrong rule) but only says which rule and what, in few words: its messages are size.
#include "edgescope/monitoring/error_rules.hpp"

namespace edgescope::monitoring {

// Issue "Error classification": database errors, fatal logs, repeated timeouts and syntax errors
// are CRITICAL; validation errors, rate limits and other 4xx are WARNING; the rest INFO.
// TypeError is not read as a validation error: in JavaScript it mostly means a bug ("Cannot read
// properties of undefined"), which INFO plus a fingerprint groups; a validation library's own
// error type (ZodError, ValiError, ValidationError) is. 5xx responses without an exception are
// INFO "server_error": the exception that caused one, if any, is classified on its own.
const char* const kDefaultRules =
    "bd1\ts2\tcdatabase\n"
    "nD1*\tnSQLITE*\ts2\tcdatabase\n"
    "mD1_\tmSQLITE_\ts2\tcdatabase\n"
    "lfatal\ts2\tcfatal\n"
    "nSyntaxError\ts2\tcsyntax\n"
    "nTimeoutError\ts1\tctimeout\tx5,600000,2\n"
    "mtimed out\tmtimeout\ts1\tctimeout\tx5,600000,2\n"
    "nValidationError\tnZodError\tnValiError\ts1\tcvalidation\n"
    "h429-429\ts1\tcrate_limit\n"
    "mrate limit\tmrate-limit\tmtoo many requests\ts1\tcrate_limit\n"
    "h400-499\ts1\tcclient_error\n"
    "h500-599\ts0\tcserver_error";

const char* severity_name(Severity s) {
  return s == Severity::Critical ? "CRITICAL" : s == Severity::Warning ? "WARNING" : "INFO";
}

namespace {

// Digits at the front of `v` (consumed), at most `max`.
bool number(std::string_view& v, std::int64_t min, std::int64_t max, std::int64_t& out) {
  std::size_t i = 0;
  out = 0;
  while (i < v.size() && i < 10 && v[i] >= '0' && v[i] <= '9') out = out * 10 + (v[i++] - '0');
  v.remove_prefix(i);
  return i > 0 && out >= min && out <= max;
}

bool severity(std::string_view v, Severity& out) {
  if (v.size() != 1 || v[0] < '0' || v[0] > '2') return false;
  out = static_cast<Severity>(v[0] - '0');
  return true;
}

// One field into `rule` (its patterns and category into `set`); the message says what was
// wrong, "" when fine.
const char* field(std::string_view f, Rule& rule, RuleSet& set, bool& has_severity) {
  if (f.empty()) return "empty field";
  const char tag = f[0];
  std::string_view v = f.substr(1);
  static const char kTags[] = "nmrbpl";  // Field order
  for (std::uint8_t which = 0; which < kFieldCount; ++which) {
    if (tag != kTags[which]) continue;
    if (v.empty() || v.size() > kMaxPatternBytes) return "pattern empty or too long";
    Pattern p;
    p.offset = static_cast<std::uint32_t>(set.text.size());
    p.size = static_cast<std::uint16_t>(v.size());
    p.field = which;
    p.glob = which == kLog;  // a level: the whole value
    for (const char c : v) {
      if (static_cast<unsigned char>(c) < 0x20) return "control character";
      set.text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      p.glob = p.glob || c == '*' || c == '?';
    }
    set.patterns.push_back(p);
    ++rule.count;
    return "";
  }
  std::int64_t a = 0, b = 0;
  switch (tag) {
    case 's':
      has_severity = severity(v, rule.severity);
      return has_severity ? "" : "bad severity";
    case 'c':
      if (v.empty() || v.size() > kMaxCategoryBytes || rule.category_size != 0) return "bad category";
      rule.category_offset = static_cast<std::uint32_t>(set.text.size());
      rule.category_size = static_cast<std::uint8_t>(v.size());
      set.text.append(v.data(), v.size());
      return "";
    case 'h':
      if (rule.status_min != 0 || !number(v, 100, 599, a) || v.empty() || v[0] != '-') return "bad status range";
      v.remove_prefix(1);
      if (!number(v, a, 599, b) || !v.empty()) return "bad status range";
      rule.status_min = static_cast<std::uint16_t>(a);
      rule.status_max = static_cast<std::uint16_t>(b);
      return "";
    case 'x':
      if (rule.repeated.count != 0 || !number(v, 2, 1000000, a) || v.empty() || v[0] != ',') return "bad repeated";
      v.remove_prefix(1);
      if (!number(v, 1, 604800000, b) || v.size() != 2 || v[0] != ',' || !severity(v.substr(1), rule.repeated.severity)) {
        return "bad repeated";
      }
      rule.repeated.count = static_cast<std::uint32_t>(a);
      rule.repeated.window_ms = b;
      return "";
    default:
      return "unknown field";
  }
}

bool read_list(std::string_view text, RuleSet& set, std::string& error) {
  std::size_t index = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    Rule rule;
    rule.first = static_cast<std::uint32_t>(set.patterns.size());
    bool has_severity = false;
    const char* why = "";
    while (*why == '\0') {
      const std::size_t tab = line.find('\t');
      why = field(line.substr(0, tab), rule, set, has_severity);
      if (tab == std::string_view::npos) break;
      line.remove_prefix(tab + 1);
    }
    if (*why == '\0' && (!has_severity || rule.category_size == 0)) why = "severity and category are required";
    if (*why == '\0' && set.rules.size() >= kMaxRules + 16) why = "too many rules";
    if (*why != '\0') {
      error = "rule ";
      error += static_cast<char>('0' + index / 100 % 10);
      error += static_cast<char>('0' + index / 10 % 10);
      error += static_cast<char>('0' + index % 10);
      error += ": ";
      error += why;
      return false;
    }
    set.rules.push_back(rule);
    ++index;
  }
  return true;
}

}  // namespace

bool parse_rules(std::string_view text, bool defaults, RuleSet& out, std::string& error) {
  RuleSet set;
  if (!read_list(text, set, error) || (defaults && !read_list(kDefaultRules, set, error))) return false;
  out = std::move(set);
  return true;
}

}  // namespace edgescope::monitoring
