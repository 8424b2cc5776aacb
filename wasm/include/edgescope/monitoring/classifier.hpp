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
  int status = 0;                                                     // 0: not an HTTP response
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
  bool configure(std::string_view rules_json, bool defaults, std::string& error);
  Classification classify(const ErrorInput& input) const;
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
};

}  // namespace edgescope::monitoring
