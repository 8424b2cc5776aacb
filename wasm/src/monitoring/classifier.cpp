// First matching rule wins (error_rules.hpp); the fingerprint does not depend on the rules, so
// changing them never regroups errors.
#include "edgescope/monitoring/classifier.hpp"

#include "edgescope/monitoring/fingerprint.hpp"

namespace edgescope::monitoring {

namespace {

// Every field the rule names has a matching pattern (patterns of one field: any of). A condition
// on a value the input lacks does not match.
bool matches(const RuleSet& set, const Rule& r, const ErrorInput& in) {
  if (r.status_min != 0 && (in.status < r.status_min || in.status > r.status_max)) return false;
  const std::string_view values[kFieldCount] = {in.type, in.message.substr(0, kMaxMessageBytes), in.route, in.binding, in.span, in.log};
  unsigned present = 0, matched = 0;
  for (std::uint32_t i = r.first; i < r.first + r.count; ++i) {
    const Pattern& p = set.patterns[i];
    const unsigned bit = 1u << p.field;
    present |= bit;
    if (!(matched & bit) && !values[p.field].empty() && match_pattern(set.pattern(p), p.glob, values[p.field])) matched |= bit;
  }
  return present == matched;
}

}  // namespace

bool Classifier::configure(std::string_view packed_rules, bool defaults, std::string& error) {
  return parse_rules(packed_rules, defaults, rules_, error);
}

Classification Classifier::classify(const ErrorInput& in) const {
  Classification out;
  for (std::size_t i = 0; i < rules_.rules.size(); ++i) {
    const Rule& rule = rules_.rules[i];
    if (!matches(rules_, rule, in)) continue;
    out.rule = static_cast<int>(i);
    out.severity = rule.severity;
    out.category = rules_.category(rule);
    out.repeated = rule.repeated;
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
