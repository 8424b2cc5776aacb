// Parsing and validating classification rules (error_rules.hpp) with the resilience core's strict
// JSON reader and path-naming field reader (wasm/src/resilience/fields.hpp): one reader, one
// message style ("rules[2].status: ...") across every JSON document the core accepts.
#include "edgescope/monitoring/error_rules.hpp"

#include "../resilience/fields.hpp"

namespace edgescope::monitoring {

using resilience::Fields;

// Issue "Error classification": database errors, fatal logs, repeated timeouts and syntax errors
// are CRITICAL; validation errors, rate limits and other 4xx are WARNING; the rest INFO.
// TypeError is not read as a validation error: in JavaScript it mostly means a bug ("Cannot read
// properties of undefined"), which is what INFO plus a fingerprint are for; a validation library's
// own error type (ZodError, ValiError, ValidationError) is.
const char* const kDefaultRules = R"([
{"binding":"d1","severity":"CRITICAL","category":"database"},
{"name":["D1*","SQLITE*"],"severity":"CRITICAL","category":"database"},
{"message":["D1_","SQLITE_"],"severity":"CRITICAL","category":"database"},
{"log":"fatal","severity":"CRITICAL","category":"fatal"},
{"name":"SyntaxError","severity":"CRITICAL","category":"syntax"},
{"name":"TimeoutError","severity":"WARNING","category":"timeout","repeated":{"count":5,"windowMs":600000,"severity":"CRITICAL"}},
{"message":["timed out","timeout"],"severity":"WARNING","category":"timeout","repeated":{"count":5,"windowMs":600000,"severity":"CRITICAL"}},
{"name":["ValidationError","ZodError","ValiError"],"severity":"WARNING","category":"validation"},
{"status":429,"severity":"WARNING","category":"rate_limit"},
{"message":["rate limit","rate-limit","too many requests"],"severity":"WARNING","category":"rate_limit"},
{"status":"400-499","severity":"WARNING","category":"client_error"},
{"status":"500-599","severity":"INFO","category":"server_error"}
])";

const char* severity_name(Severity s) {
  return s == Severity::Critical ? "CRITICAL" : s == Severity::Warning ? "WARNING" : "INFO";
}

namespace {

constexpr std::size_t kMaxPatterns = 32;

bool read_pattern(Fields& f, const json::Value& v, bool level, Patterns& out) {
  if (v.type != json::Type::String || v.text.empty()) return f.fail("expected a non-empty string");
  if (v.text.size() > kMaxPatternBytes) return f.fail("longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  Pattern p;
  for (char c : v.text) {
    p.text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    p.glob = p.glob || c == '*' || c == '?';
  }
  if (level) {
    static const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
    bool known = false;
    for (const char* name : kLevels) known = known || p.text == name;
    if (!known) return f.fail("expected one of trace, debug, info, warn, error, fatal");
    p.glob = true;  // a glob without wildcards: the whole value
  }
  out.push_back(std::move(p));
  return true;
}

// A pattern or an array of them, under `key` when present.
bool read_patterns(Fields& f, const json::Value& rule, const char* key, Patterns& out, bool level = false) {
  const json::Value* v = f.get(rule, key, false);
  if (!v) return f.ok();
  Fields::Scope s(f, key);
  if (v->type != json::Type::Array) return read_pattern(f, *v, level, out);
  if (v->items.empty()) return f.fail("expected at least one pattern");
  if (!f.array(v, kMaxPatterns)) return false;
  for (std::size_t i = 0; i < v->items.size(); ++i) {
    Fields::Scope e(f, i);
    if (!read_pattern(f, v->items[i], level, out)) return false;
  }
  return true;
}

// "429" or "400-499" (decimal, no sign, no spaces).
bool parse_range(const std::string& text, int& lo, int& hi) {
  int* target = &lo;
  lo = hi = -1;
  int value = 0, digits = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '\0';
    if (c >= '0' && c <= '9' && digits < 4) {
      value = value * 10 + (c - '0');
      ++digits;
    } else if ((c == '-' && target == &lo) || c == '\0') {
      if (digits == 0) return false;
      *target = value;
      target = &hi;
      value = digits = 0;
    } else {
      return false;
    }
  }
  if (hi < 0) hi = lo;
  return true;
}

bool read_status(Fields& f, const json::Value& rule, Rule& out) {
  const json::Value* v = f.get(rule, "status", false);
  if (!v) return f.ok();
  Fields::Scope s(f, "status");
  int lo = 0, hi = 0;
  bool ok = false;
  if (v->type == json::Type::Number && v->integral && v->integer >= 0 && v->integer <= 9999) {
    lo = hi = static_cast<int>(v->integer);
    ok = true;
  } else if (v->type == json::Type::String) {
    ok = parse_range(v->text, lo, hi);
  }
  if (!ok || lo < 100 || hi > 599 || lo > hi) {
    return f.fail("expected a status 100..599 or a range like \"400-499\" (low <= high)");
  }
  out.status_min = lo;
  out.status_max = hi;
  return true;
}

bool read_severity(Fields& f, const json::Value& object, bool required, Severity& out) {
  if (required && !f.get(object, "severity", true)) return false;
  int index = -1;
  if (!f.choice(object, "severity", {"CRITICAL", "WARNING", "INFO"}, index)) return false;
  if (index >= 0) out = static_cast<Severity>(2 - index);
  return true;
}

bool read_rule(Fields& f, const json::Value& v, Rule& rule) {
  if (!f.object(&v, {"name", "message", "status", "route", "binding", "span", "log", "severity", "category", "repeated"})) {
    return false;
  }
  if (!read_patterns(f, v, "name", rule.name) || !read_patterns(f, v, "message", rule.message) || !read_status(f, v, rule) ||
      !read_patterns(f, v, "route", rule.route) || !read_patterns(f, v, "binding", rule.binding) ||
      !read_patterns(f, v, "span", rule.span) || !read_patterns(f, v, "log", rule.log, true) ||
      !read_severity(f, v, true, rule.severity) || !f.text(v, "category", true, kMaxCategoryBytes, rule.category)) {
    return false;
  }
  for (const char c : rule.category) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return f.fail("control characters are not allowed", "category");
  }
  const json::Value* r = f.get(v, "repeated", false);
  if (!r) return f.ok();
  Fields::Scope s(f, "repeated");
  if (!f.object(r, {"count", "windowMs", "severity"})) return false;
  std::int64_t count = 0;
  if (!f.integer(*r, "count", true, 2, 1000000, count) || !f.integer(*r, "windowMs", true, 1, 604800000, rule.repeated.window_ms) ||
      !read_severity(f, *r, true, rule.repeated.severity)) {
    return false;
  }
  rule.repeated.count = static_cast<std::uint32_t>(count);
  return true;
}

bool read_list(std::string_view text, std::vector<Rule>& out, std::string& error) {
  Fields f(text, "rules");
  if (f.array(&f.doc(), kMaxRules)) {
    for (std::size_t i = 0; i < f.doc().items.size(); ++i) {
      Fields::Scope e(f, i);
      Rule rule;
      if (!read_rule(f, f.doc().items[i], rule)) break;
      out.push_back(std::move(rule));
    }
  }
  if (f.ok()) return true;
  error = f.error();
  return false;
}

}  // namespace

bool parse_rules(std::string_view text, bool defaults, std::vector<Rule>& out, std::string& error) {
  std::vector<Rule> rules;
  if (!read_list(text.empty() ? std::string_view("[]") : text, rules, error) || (defaults && !read_list(kDefaultRules, rules, error))) {
    out.clear();
    return false;
  }
  out = std::move(rules);
  return true;
}

}  // namespace edgescope::monitoring
