// First matching rule wins (error_rules.hpp); the fingerprint does not depend on the rules, so
// changing them never regroups errors.
#include "edgescope/monitoring/classifier.hpp"

#include "edgescope/monitoring/fingerprint.hpp"

namespace edgescope::monitoring {

namespace {

// No condition, or any pattern matches. A condition on a value the input lacks does not match.
bool any(const Patterns& patterns, std::string_view value) {
  if (patterns.empty()) return true;
  if (value.empty()) return false;
  for (const Pattern& p : patterns) {
    if (p.matches(value)) return true;
  }
  return false;
}

bool matches(const Rule& r, const ErrorInput& in) {
  if (r.status_min != 0 && (in.status < r.status_min || in.status > r.status_max)) return false;
  return any(r.name, in.type) && any(r.message, in.message.substr(0, kMaxMessageBytes)) && any(r.route, in.route) &&
         any(r.binding, in.binding) && any(r.span, in.span) && any(r.log, in.log);
}

}  // namespace

bool Classifier::configure(std::string_view packed_rules, bool defaults, std::string& error) {
  std::vector<Rule> rules;
  if (!parse_rules(packed_rules, defaults, rules, error)) return false;
  rules_ = std::move(rules);
  return true;
}

Classification Classifier::classify(const ErrorInput& in) const {
  Classification out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (!matches(rules_[i], in)) continue;
    out.rule = static_cast<int>(i);
    out.severity = rules_[i].severity;
    out.category = rules_[i].category;
    out.repeated = rules_[i].repeated;
    break;
  }
  if (out.rule < 0) out.category = "other";
  out.normalized = normalize_message(in.message);
  // An error response has no stack: its place is the status and the route (fingerprint.hpp).
  std::string where = top_frame(in.stack);
  if (in.status != 0) {
    where += " HTTP ";
    for (int d = 100; d > 0; d /= 10) where.push_back(static_cast<char>('0' + in.status / d % 10));
    where.push_back(' ');
    where.append(in.route.substr(0, 256));
  }
  out.fingerprint = fingerprint(in.type, out.normalized, where);
  return out;
}

}  // namespace edgescope::monitoring
