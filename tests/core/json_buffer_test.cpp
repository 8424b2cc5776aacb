#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "edgescope/json_writer.hpp"

using namespace edgescope;

TEST_CASE("a JSON buffer appends what std::string would, and leaves the string exactly that long") {
  std::string direct = "prefix:";
  std::string buffered = direct;
  {
    JsonBuffer out(buffered);
    for (int i = 0; i < 2000; ++i) {  // many chunks; appends shorter and longer than one
      out.push_back('[');
      out.append("literal");
      out.append(std::string_view("view\0with nul", 13));
      out.append(std::string(static_cast<std::size_t>(i % 701), 'x'));
      append_json_int(out, -i);
      append_json_string(out, "q\"\n");
      append_double(out, i / 8.0);
      append_hex_id(out, TraceId{0x0123456789abcdefULL, static_cast<std::uint64_t>(i)});
      append_hex_id(out, SpanId{0xfedcba9876543210ULL});
      out.push_back(']');
      direct.push_back('[');
      direct.append("literal");
      direct.append("view\0with nul", 13);
      direct.append(std::string(static_cast<std::size_t>(i % 701), 'x'));
      append_json_int(direct, -i);
      append_json_string(direct, "q\"\n");
      append_double(direct, i / 8.0);
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(i));
      direct.append("0123456789abcdef").append(hex).append("fedcba9876543210");
      direct.push_back(']');
    }
    CHECK(out.size() == direct.size());
  }
  CHECK(buffered == direct);
}

TEST_CASE("a JSON buffer with nothing appended leaves the string as it was") {
  std::string untouched = "abc";
  { JsonBuffer out(untouched); }
  CHECK(untouched == "abc");
  std::string empty;
  { JsonBuffer out(empty); }
  CHECK(empty.empty());
}
