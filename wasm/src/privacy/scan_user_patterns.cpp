// Rules 2e and 2f of redaction.hpp: patterns the user adds in config.
//   Value prefixes: vendors mark their secrets with a fixed prefix (Stripe "sk_live_", GitHub
//   "ghp_", Slack "xoxb-"), so the prefix plus the token after it identifies one; the prefix is
//   kept so the record still says which kind of secret leaked.
//   Literal values: secrets the Worker itself holds (env bindings) are known exactly; every
//   occurrence is found with Knuth-Morris-Pratt, linear in text + literal, whatever the input.
#include <array>

#include "scanners.hpp"

namespace edgescope::privacy {
namespace {

bool is_token_char(char c) { return is_word(c) || c == '-'; }

}  // namespace

void scan_value_prefixes(std::string_view text, const RecordArray<std::string>& prefixes, MaskRanges& out) {
  if (prefixes.empty()) return;
  std::array<bool, 256> first{};  // first bytes of the prefixes: most positions stop at one load
  for (const auto& prefix : prefixes) first[static_cast<unsigned char>(prefix[0])] = true;
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // A prefix starts a token: "sk_live_..." after a quote, '=', space..., not inside "ask_live_".
    if (!first[static_cast<unsigned char>(text[i])] || (i > 0 && is_token_char(text[i - 1]))) {
      ++i;
      continue;
    }
    std::size_t matched = 0;
    for (const auto& prefix : prefixes) {
      if (prefix[0] == text[i] && prefix.size() > matched && text.compare(i, prefix.size(), prefix) == 0) {
        matched = prefix.size();  // the longest prefix wins ("sk_" and "sk_live_")
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    std::size_t e = i + matched;
    while (e < n && is_token_char(text[e])) ++e;
    if (e > i + matched) out.push_back({i + matched, e, 0});
    i = e;
  }
}

void build_failure_table(RedactionPolicy::Literal& literal) {
  const std::string& p = literal.text;
  literal.failure.clear();
  literal.failure.resize(p.size());  // zeros
  std::size_t k = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    while (k > 0 && p[i] != p[k]) k = literal.failure[k - 1];
    if (p[i] == p[k]) ++k;
    literal.failure[i] = static_cast<std::uint16_t>(k);
  }
}

void scan_literals(std::string_view text, const RecordArray<RedactionPolicy::Literal>& literals, MaskRanges& out) {
  const std::size_t n = text.size();
  for (const auto& literal : literals) {
    const std::string& p = literal.text;
    std::size_t k = 0;
    std::size_t covered = 0;  // the last mask pushed for this literal ends here
    for (std::size_t i = 0; i < n; ++i) {
      if (k == 0) {
        // State 0 stays 0 until the literal's first byte: let memchr find it.
        const std::size_t next = text.find(p[0], i);
        if (next == std::string_view::npos) break;
        i = next;
      }
      while (k > 0 && text[i] != p[k]) k = literal.failure[k - 1];
      if (text[i] == p[k]) ++k;
      if (k < p.size()) continue;
      k = literal.failure[k - 1];
      // Occurrence [i + 1 - size, i + 1), widened to the whole word around it, so that what is
      // left next to the marker cannot read differently than it did next to the secret.
      std::size_t begin = i + 1 - p.size();
      std::size_t end = i + 1;
      if (begin >= covered) {
        while (begin > covered && is_word(text[begin - 1])) --begin;
      } else {
        begin = covered;
      }
      if (end < covered) continue;
      while (end < n && is_word(text[end])) ++end;
      out.push_back({begin, end, 0});
      covered = end;
    }
  }
}

}  // namespace edgescope::privacy
