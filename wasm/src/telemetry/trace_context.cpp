#include "edgescope/trace_context.hpp"

#include <vector>

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

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
         c == '/';
}

// key = simple-key / multi-tenant-key (section 3.3.1.3.1)
bool valid_tracestate_key(std::string_view key) {
  if (key.empty() || key.size() > 256) return false;
  const auto at = key.find('@');
  const std::string_view tenant = at == std::string_view::npos ? key : key.substr(0, at);
  const std::string_view system = at == std::string_view::npos ? std::string_view{} : key.substr(at + 1);
  if (tenant.empty() || tenant.size() > 241) return false;
  if (!((tenant[0] >= 'a' && tenant[0] <= 'z') || (at != std::string_view::npos && tenant[0] >= '0' && tenant[0] <= '9'))) return false;
  for (const char c : tenant) if (!is_key_char(c)) return false;
  if (at != std::string_view::npos) {
    if (system.empty() || system.size() > 14 || !(system[0] >= 'a' && system[0] <= 'z')) return false;
    for (const char c : system) if (!is_key_char(c)) return false;
  }
  return true;
}

// value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr
bool valid_tracestate_value(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
  }
  return true;
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

std::string normalize_tracestate(std::string_view header) {
  std::vector<std::string_view> keys;
  std::string out;
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    const std::string_view member = trim_ows(header.substr(start, comma - start));
    start = comma + 1;
    if (member.empty()) continue;
    const auto eq = member.find('=');
    if (eq == std::string_view::npos) return {};
    const std::string_view key = member.substr(0, eq);
    const std::string_view value = member.substr(eq + 1);
    if (!valid_tracestate_key(key) || !valid_tracestate_value(value)) return {};
    for (const auto& seen : keys) if (seen == key) return {};
    keys.push_back(key);
    if (keys.size() > 32) return {};
    if (!out.empty()) out.push_back(',');
    out.append(member);
  }
  return out;
}

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
