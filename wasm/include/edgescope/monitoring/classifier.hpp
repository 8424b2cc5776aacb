// Classifies one error against an ordered rule list (error_rules.hpp) and fingerprints it
// (fingerprint.hpp). Pure: no clock, no shared state; the fleet-wide count that `repeated`
// needs is the host's (js/monitoring/error-records.js settleErrors).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/monitoring/error_rules.hpp"

namespace edgescope::monitoring {

struct ErrorInput {
  std::string_view type, message, stack, route, binding, span, log;  // "" when unknown
  int status = 0;  // 0: not an HTTP response; else 100..599 (the status is part of the fingerprint)
};

struct Classification {
  Severity severity = Severity::Info;
  std::string category;  // "other" when no rule matched
  std::string fingerprint;
  std::string normalized;
  Repeated repeated;  // count 0: none
  int rule = -1;      // index of the matching rule
};

class Classifier {
 public:
  // Packed rules (error_rules.hpp); all or nothing: on failure the rules in force stay.
  bool configure(std::string_view packed_rules, bool defaults, std::string& error);
  Classification classify(const ErrorInput& input) const;
  const RuleSet& rules() const { return rules_; }

 private:
  RuleSet rules_;
};

}  // namespace edgescope::monitoring
