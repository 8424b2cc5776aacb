#include "edgescope/trace_context.hpp"

#include "edgescope/grow_array.hpp"

namespace edgescope {
namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_lower_hex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_lcalpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_key_char(char c) { return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/'; }

bool all_key_chars(std::string_view s) {
  for (const char c : s) {
    if (!is_key_char(c)) return false;
  }
  return true;
}

// Section 3.3.1.3.1:
//   key              = simple-key / multi-tenant-key
//   simple-key       = lcalpha 0*255( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
//   multi-tenant-key = tenant-id "@" system-id
//   tenant-id        = ( lcalpha / DIGIT ) 0*240( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
//   system-id        = lcalpha 0*13( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
// So a simple key may have 256 characters; only a tenant id is limited to 241.
bool valid_tracestate_key(std::string_view key) {
  const auto at = key.find('@');
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= 256 && is_lcalpha(key[0]) && all_key_chars(key);
  }
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);  // a second '@' fails all_key_chars
  return !tenant.empty() && tenant.size() <= 241 && (is_lcalpha(tenant[0]) || is_digit(tenant[0])) &&
         all_key_chars(tenant) && !system.empty() && system.size() <= 14 && is_lcalpha(system[0]) &&
         all_key_chars(system);
}

// Section 3.3.1.3.2:
//   value    = 0*255(chr) nblk-chr
//   nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
//   chr      = %x20 / nblk-chr
// Leading spaces belong to the value; trailing ones were taken off with the optional whitespace.
bool valid_tracestate_value(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
  }
  return true;
}

std::size_t joined_length(const GrowArray<std::string_view>& members) {
  std::size_t n = members.empty() ? 0 : members.size() - 1;  // commas
  for (const auto& m : members) n += m.size();
  return n;
}

// Section 3.3.1.5: "the vendor MUST truncate whole entries. Entries larger than 128 characters
// long SHOULD be removed first. Then entries SHOULD be removed starting from the end". Long
// entries are taken from the end too, and only as many as needed.
std::size_t truncate_whole_members(GrowArray<std::string_view>& members) {
  std::size_t removed = 0;
  while (joined_length(members) > kMaxTracestateLength) {
    std::size_t victim = members.size() - 1;
    for (std::size_t i = members.size(); i-- > 0;) {
      if (members[i].size() > kLongTracestateMember) {
        victim = i;
        break;
      }
    }
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(victim));
    ++removed;
  }
  return removed;
}

}  // namespace

std::optional<TraceContext> parse_traceparent(std::string_view header) {
  header = trim_ows(header);
  // version(2) - trace-id(32) - parent-id(16) - flags(2) = 55 characters
  if (header.size() < 55) return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  const std::string_view version = header.substr(0, 2);
  if (!is_lower_hex(version) || version == "ff") return std::nullopt;
  // Version 00 has exactly four fields; a future version may append "-..." (section 3.2.4).
  if (version == "00" && header.size() != 55) return std::nullopt;
  if (header.size() > 55 && header[55] != '-') return std::nullopt;

  TraceContext ctx;
  std::uint64_t flags = 0;
  if (!parse_hex_u64(header.substr(3, 16), ctx.trace_id.high) ||
      !parse_hex_u64(header.substr(19, 16), ctx.trace_id.low) ||
      !parse_hex_u64(header.substr(36, 16), ctx.span_id) ||
      !parse_hex_u64(header.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (!ctx.trace_id.is_valid() || ctx.span_id == 0) return std::nullopt;
  ctx.flags = static_cast<std::uint8_t>(flags);
  return ctx;
}

TracestateResult parse_tracestate(std::string_view header) {
  TracestateResult result;
  if (header.size() > kMaxTracestateHeaderBytes) {
    result.status = TracestateStatus::TooLong;
    return result;
  }
  GrowArray<std::string_view> members;
  GrowArray<std::string_view> keys;
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    // Empty and whitespace-only members are allowed (section 3.3.1.1) and dropped.
    const std::string_view member = trim_ows(header.substr(start, comma - start));
    start = comma + 1;
    if (member.empty()) continue;
    const auto eq = member.find('=');
    if (eq == std::string_view::npos || !valid_tracestate_key(member.substr(0, eq)) ||
        !valid_tracestate_value(member.substr(eq + 1))) {
      result.status = TracestateStatus::InvalidMember;
      return result;
    }
    const std::string_view key = member.substr(0, eq);
    for (const auto& seen : keys) {
      if (seen == key) {
        result.status = TracestateStatus::DuplicateKey;
        return result;
      }
    }
    if (keys.size() == kMaxTracestateMembers) {
      result.status = TracestateStatus::TooManyMembers;
      return result;
    }
    keys.push_back(key);
    members.push_back(member);
  }
  result.members_removed = truncate_whole_members(members);
  result.value.reserve(joined_length(members));
  for (const auto& m : members) {
    if (!result.value.empty()) result.value.push_back(',');
    result.value.append(m);
  }
  return result;
}

const char* tracestate_status_name(TracestateStatus status) {
  switch (status) {
    case TracestateStatus::Ok: return "ok";
    case TracestateStatus::TooLong: return "tracestate header longer than 8192 bytes";
    case TracestateStatus::InvalidMember: return "tracestate member is not a valid key=value";
    case TracestateStatus::DuplicateKey: return "tracestate key repeated";
    case TracestateStatus::TooManyMembers: return "tracestate has more than 32 members";
  }
  return "unknown tracestate status";
}

std::string normalize_tracestate(std::string_view header) { return parse_tracestate(header).value; }

std::string format_traceparent(const TraceId& trace_id, SpanId span_id, std::uint8_t flags) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(55);
  out.append("00-");
  append_hex(out, trace_id);
  out.push_back('-');
  append_hex(out, span_id);
  out.push_back('-');
  out.push_back(kHex[(flags >> 4) & 0xF]);
  out.push_back(kHex[flags & 0xF]);
  return out;
}

}  // namespace edgescope
