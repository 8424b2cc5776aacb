// Message normalization, top application frame and the fingerprint hash (fingerprint.hpp).
// One left-to-right pass, no regular expressions (module size budget, scripts/size-budget.mjs).
#include "edgescope/monitoring/fingerprint.hpp"

namespace edgescope::monitoring {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool alnum(char c) { return digit(c) || alpha(c); }
bool hex(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool email_char(char c) { return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }

std::size_t hex_run(std::string_view s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size() && hex(s[j])) ++j;
  return j - i;
}

// 8-4-4-4-12 hex digits at i.
std::size_t uuid_at(std::string_view s, std::size_t i) {
  static const std::size_t groups[] = {8, 4, 4, 4, 12};
  std::size_t j = i;
  for (std::size_t g = 0; g < 5; ++g) {
    if (hex_run(s, j) != groups[g]) return 0;
    j += groups[g];
    if (g < 4) {
      if (j >= s.size() || s[j] != '-') return 0;
      ++j;
    }
  }
  return j < s.size() && alnum(s[j]) ? 0 : j - i;
}

// local@domain.tld starting at i (a token start): its length, or 0 with `stop` set to where the
// local part ended. Every start before `stop` ends its local part there too and fails the same
// way, so the caller skips them: the scan stays linear in the message.
std::size_t email_at(std::string_view s, std::size_t i, std::size_t& stop) {
  std::size_t j = i;
  while (j < s.size() && email_char(s[j])) ++j;
  stop = j;
  if (j == i || j >= s.size() || s[j] != '@') return 0;
  std::size_t k = ++j;
  while (k < s.size() && (alnum(s[k]) || s[k] == '-' || s[k] == '.')) ++k;
  while (k > j && s[k - 1] == '.') --k;  // a sentence's full stop
  // The last dot of the domain alone (searching from the message's start would make a run of
  // "a@a@a@..." quadratic).
  const std::size_t dot = s.substr(j, k - j).rfind('.');
  return dot != std::string_view::npos && dot > 0 && j + dot + 2 <= k ? k - i : 0;
}

// A quoted value at i (the opening quote): its length including both quotes, or 0.
std::size_t quoted_at(std::string_view s, std::size_t i) {
  const char q = s[i];
  for (std::size_t j = i + 1; j < s.size() && j - i <= 257; ++j) {
    if (s[j] == '\n') return 0;
    if (s[j] == q) return j + 1 < s.size() && alnum(s[j + 1]) ? 0 : j + 1 - i;
  }
  return 0;
}

}  // namespace

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string normalize_message(std::string_view in) {
  const std::string_view s = in.substr(0, kMaxMessageBytes);
  std::string out;
  out.reserve(s.size());
  bool in_url = false;
  std::size_t no_email_before = 0;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const bool start = i == 0 || !alnum(s[i - 1]);
    std::size_t n = 0;
    if (space(c)) in_url = false;
    if (c == ':' && s.substr(i, 3) == "://") in_url = true;
    if (c == '?' && in_url) {
      // A URL's query string and fragment carry per-request values.
      std::size_t j = i;
      while (j < s.size() && !space(s[j]) && s[j] != '"' && s[j] != '\'') ++j;
      out += "?<query>";
      i = j;
      continue;
    }
    if ((c == '\'' || c == '"' || c == '`') && start && (n = quoted_at(s, i)) != 0) {
      out += "<str>";
    } else if (start && i >= no_email_before && email_char(c) && (n = email_at(s, i, no_email_before)) != 0) {
      out += "<email>";
    } else if (start && hex(c) && (n = uuid_at(s, i)) != 0) {
      out += "<uuid>";
    } else if (start && c == '0' && i + 2 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') && hex(s[i + 2])) {
      n = 2 + hex_run(s, i + 2);
      out += "<hex>";
    } else if (start && hex(c) && hex_run(s, i) >= 6 && !(i + hex_run(s, i) < s.size() && alnum(s[i + hex_run(s, i)]))) {
      n = hex_run(s, i);
      bool letters = false, digits = false;
      for (std::size_t k = i; k < i + n; ++k) (digit(s[k]) ? digits : letters) = true;
      if (!(letters && digits)) n = 0;  // "decade" is a word; all digits are a number (below)
      else out += "<hex>";
    }
    if (n == 0 && digit(c)) {
      std::size_t j = i;
      while (j < s.size() && digit(s[j])) ++j;
      if (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) {
        for (++j; j < s.size() && digit(s[j]);) ++j;
      }
      const bool glued = (i > 0 && alpha(s[i - 1])) || (j < s.size() && alpha(s[j]));
      if (j - i >= 2 || !glued) {
        n = j - i;
        out += "<num>";
      } else {
        n = j - i;
        out.append(s.substr(i, n));
      }
    }
    if (n == 0) {
      out.push_back(c);
      n = 1;
    }
    i += n;
  }
  return out;
}

std::string top_frame(std::string_view stack) {
  std::size_t pos = 0;
  while (pos < stack.size()) {
    std::size_t end = stack.find('\n', pos);
    if (end == std::string_view::npos) end = stack.size();
    std::string_view line = stack.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && space(line.front())) line.remove_prefix(1);
    while (!line.empty() && space(line.back())) line.remove_suffix(1);
    if (line.substr(0, 3) != "at ") continue;
    line.remove_prefix(3);
    if (line.substr(0, 6) == "async ") line.remove_prefix(6);
    std::string_view fn, file = line;
    if (!line.empty() && line.back() == ')') {
      const std::size_t open = line.rfind(" (");
      if (open != std::string_view::npos) {
        fn = line.substr(0, open);
        file = line.substr(open + 2, line.size() - open - 3);
      }
    }
    // Drop ":line:col" (or ":line").
    for (int k = 0; k < 2; ++k) {
      const std::size_t colon = file.rfind(':');
      if (colon == std::string_view::npos || colon + 1 >= file.size()) break;
      bool numeric = true;
      for (std::size_t j = colon + 1; j < file.size(); ++j) numeric = numeric && digit(file[j]);
      if (!numeric) break;
      file = file.substr(0, colon);
    }
    // Not the application's: Node and runtime internals, edgescope itself, frames without a file.
    if (file.empty() || file == "<anonymous>" || file == "native" || file.substr(0, 5) == "node:" ||
        file.find("internal/") != std::string_view::npos || file.find("edgescope/js/") != std::string_view::npos ||
        file.find("node_modules/edgescope/") != std::string_view::npos) {
      continue;
    }
    const std::size_t query = file.find_first_of("?#");
    if (query != std::string_view::npos) file = file.substr(0, query);
    std::string out(fn);
    out.push_back('@');
    out += normalize_message(file);
    return out;
  }
  return std::string();
}

std::string fingerprint(std::string_view type, std::string_view normalized, std::string_view frame) {
  std::uint64_t h = fnv1a64(type.substr(0, 256));
  h = fnv1a64(std::string_view("\0", 1), h);
  h = fnv1a64(normalized, h);
  h = fnv1a64(std::string_view("\0", 1), h);
  h = fnv1a64(frame, h);
  std::string out(16, '0');
  static const char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 15];
  return out;
}

}  // namespace edgescope::monitoring
