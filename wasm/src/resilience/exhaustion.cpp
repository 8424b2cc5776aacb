#include "edgescope/resilience/exhaustion.hpp"

#include <algorithm>

#include "edgescope/json_writer.hpp"
#include "fields.hpp"

namespace edgescope::resilience {

namespace {
constexpr std::int64_t kMaxMarkMs = 31LL * 24 * 3600 * 1000;

bool by_name(const std::pair<std::string, std::int64_t>& a, const std::pair<std::string, std::int64_t>& b) {
  return a.first < b.first;
}
}  // namespace

bool parse_exhaustion_config(std::string_view text, ExhaustionConfig& out, std::string& error) {
  Fields f(text, "config");
  ExhaustionConfig c;
  if (f.object(&f.doc(), {"defaultMs"})) f.integer(f.doc(), "defaultMs", false, 1, kMaxMarkMs, c.default_ms);
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = c;
  return true;
}

void ExhaustionRegistry::expire(std::int64_t now) {
  marks_.erase(std::remove_if(marks_.begin(), marks_.end(), [&](const auto& m) { return m.second <= now; }), marks_.end());
}

bool ExhaustionRegistry::mark(std::string_view provider, std::int64_t now, std::int64_t duration_ms, std::string& error) {
  if (provider.empty() || provider.size() > kMaxProviderBytes) {
    error = "provider: expected a non-empty name of at most " + edgescope::decimal(kMaxProviderBytes) + " bytes";
    return false;
  }
  if (duration_ms > kMaxMarkMs) {
    error = "durationMs: " + edgescope::decimal(duration_ms) + " out of range (at most " + edgescope::decimal(kMaxMarkMs) + ")";
    return false;
  }
  expire(now);
  const std::int64_t until = now + (duration_ms < 0 ? config_.default_ms : duration_ms);
  std::pair<std::string, std::int64_t> entry{std::string(provider), until};
  auto it = std::lower_bound(marks_.begin(), marks_.end(), entry, by_name);
  if (it != marks_.end() && it->first == provider) {
    it->second = std::max(it->second, until);
    return true;
  }
  if (marks_.size() >= kMaxProviders) {
    error = "registry full: " + edgescope::decimal(kMaxProviders) + " providers are marked";
    return false;
  }
  if (until > now) marks_.insert(it, std::move(entry));
  return true;
}

std::int64_t ExhaustionRegistry::until(std::string_view provider, std::int64_t now) {
  expire(now);
  for (const auto& m : marks_) {
    if (m.first == provider) return m.second;
  }
  return 0;
}

const ExhaustionRegistry::Marks& ExhaustionRegistry::list(std::int64_t now) {
  expire(now);
  return marks_;
}

std::string ExhaustionRegistry::serialize(std::int64_t now) {
  expire(now);
  std::string out = "{\"version\":1,\"kind\":\"registry\",\"marks\":[";
  for (std::size_t i = 0; i < marks_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"provider\":");
    append_json_string(out, marks_[i].first);
    out.append(",\"until\":");
    append_json_int(out, marks_[i].second);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

bool ExhaustionRegistry::parse_snapshot(std::string_view text, Marks& out, std::string& error) {
  Fields f(text, "registry");
  Marks marks;
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"version", "kind", "marks"}) && f.version_and_kind("registry")) {
    const json::Value* list = f.get(doc, "marks", true);
    Fields::Scope s(f, "marks");
    if (f.array(list, kMaxProviders)) {
      for (std::size_t i = 0; i < list->items.size() && f.ok(); ++i) {
        Fields::Scope e(f, i);
        std::pair<std::string, std::int64_t> m;
        if (!f.object(&list->items[i], {"provider", "until"}) || !f.text(list->items[i], "provider", true, kMaxProviderBytes, m.first) ||
            !f.time(list->items[i], "until", m.second)) {
          break;
        }
        auto it = std::lower_bound(marks.begin(), marks.end(), m, by_name);
        if (it != marks.end() && it->first == m.first) {
          f.fail("duplicate provider '" + m.first + "'", "provider");
          break;
        }
        marks.insert(it, std::move(m));
      }
    }
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = std::move(marks);
  return true;
}

bool ExhaustionRegistry::deserialize(std::string_view json, std::int64_t now, std::string& error) {
  Marks parsed;
  if (!parse_snapshot(json, parsed, error)) return false;
  marks_ = std::move(parsed);
  expire(now);
  return true;
}

bool ExhaustionRegistry::merge(std::string_view json, std::int64_t now, std::string& error) {
  Marks other;
  if (!parse_snapshot(json, other, error)) return false;
  Marks out;
  std::size_t i = 0, j = 0;
  while (i < marks_.size() || j < other.size()) {
    if (j == other.size() || (i < marks_.size() && marks_[i].first < other[j].first)) {
      out.push_back(marks_[i++]);
    } else if (i == marks_.size() || other[j].first < marks_[i].first) {
      out.push_back(other[j++]);
    } else {
      out.emplace_back(marks_[i].first, std::max(marks_[i].second, other[j].second));
      ++i, ++j;
    }
  }
  out.erase(std::remove_if(out.begin(), out.end(), [&](const auto& m) { return m.second <= now; }), out.end());
  if (out.size() > kMaxProviders) {
    // Keep the marks that end last: they are the ones still protecting a provider longest.
    while (out.size() > kMaxProviders) {
      auto first_to_end = out.begin();
      for (auto it = out.begin(); it != out.end(); ++it) {
        if (it->second < first_to_end->second) first_to_end = it;  // ties: the first name, an order both sides share
      }
      out.erase(first_to_end);
    }
  }
  marks_ = std::move(out);
  return true;
}

}  // namespace edgescope::resilience
