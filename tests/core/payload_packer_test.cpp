// The packer against a reference model: the payload layout written out naively from the records
// each payload received. The packer must produce exactly that text, never more than the cap, and
// must not start a new payload while the next record still fitted (the cap is a bound, not a
// guess with slack).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "edgescope/payload_packer.hpp"

using namespace edgescope;

namespace {

struct Item {
  std::size_t section;
  int group;  // -1: none
  std::string text;
};

const RecordArray<SectionFrame> kFrames = {{"<a[", "]>"}, {"<b[", "]>"}};

RecordGroup group_of(int id) {
  RecordGroup g;
  g.id = static_cast<std::size_t>(id);
  g.open = "{g" + std::to_string(id) + ":[";
  g.close = "]}";
  return g;
}

// The documented layout: open + non-empty sections (frame.open + items joined by "," +
// frame.close) + close, an item being a record or a run of consecutive records of one group.
std::string render(const std::vector<Item>& items) {
  std::string out = "(";
  for (std::size_t section = 0; section < kFrames.size(); ++section) {
    std::string body;
    int open_group = -2;
    for (const Item& item : items) {
      if (item.section != section) continue;
      const bool continues = !body.empty() && item.group == open_group;
      if (!continues && !body.empty() && open_group >= 0) body += group_of(open_group).close;
      if (!body.empty()) body += ",";
      if (!continues && item.group >= 0) body += group_of(item.group).open;
      body += item.text;
      open_group = item.group;
    }
    if (body.empty()) continue;
    if (open_group >= 0) body += group_of(open_group).close;
    out += kFrames[section].open + body + kFrames[section].close;
  }
  return out + ")";
}

std::uint64_t next(std::uint64_t& state) {  // splitmix64: a fixed, portable sequence
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("the packer writes the documented layout and fills each payload up to the cap") {
  std::uint64_t seed = 42;
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    EncodeOptions options;
    options.max_payload_bytes = 40 + next(seed) % 200;
    options.max_records_per_payload = next(seed) % 4 == 0 ? 1 + next(seed) % 5 : 0;
    std::vector<Item> items;
    const std::size_t count = next(seed) % 40;
    for (std::size_t i = 0; i < count; ++i) {
      Item item;
      item.section = next(seed) % 2;
      // Sections are packed one after another by the encoders, groups in runs.
      item.group = next(seed) % 3 == 0 ? -1 : static_cast<int>(next(seed) % 4);
      item.text = std::string(1 + next(seed) % 30, static_cast<char>('a' + i % 26));
      items.push_back(item);
    }
    PayloadPacker packer(Signal::Mixed, "(", ")", kFrames, options);
    std::vector<Item> accepted;
    for (const Item& item : items) {
      const RecordGroup group = group_of(item.group);
      const RecordGroup* g = item.group >= 0 ? &group : nullptr;
      if (!packer.fits_alone(item.section, item.text.size(), g)) {
        CHECK(render({item}).size() > options.max_payload_bytes);  // refused only when it truly cannot fit
        continue;
      }
      CHECK(render({item}).size() <= options.max_payload_bytes);
      packer.add(item.section, item.text, g);
      accepted.push_back(item);
    }
    const auto payloads = packer.finish();
    std::size_t at = 0;
    for (std::size_t k = 0; k < payloads.size(); ++k) {
      CAPTURE(k);
      const std::vector<Item> mine(accepted.begin() + static_cast<std::ptrdiff_t>(at),
                                   accepted.begin() + static_cast<std::ptrdiff_t>(at + payloads[k].records));
      CHECK(payloads[k].body == render(mine));
      CHECK(payloads[k].body.size() <= options.max_payload_bytes);
      at += payloads[k].records;
      if (at < accepted.size()) {
        // The next record went to a new payload: it must not have fitted in this one.
        std::vector<Item> with_next = mine;
        with_next.push_back(accepted[at]);
        const bool record_limit = options.max_records_per_payload != 0 &&
                                  mine.size() == options.max_records_per_payload;
        CHECK((record_limit || render(with_next).size() > options.max_payload_bytes));
      }
    }
    CHECK(at == accepted.size());
  }
}
