// The offline buffer's policy (buffer_policy.hpp) and its ABI: what a store keeps, evicts,
// refuses, replays and drops, under concurrent writers, at cap 0 and at the byte cap.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "edgescope.h"
#include "edgescope/buffer_policy.hpp"

using namespace edgescope;

namespace {

BufferLimits limits(std::uint64_t entries, std::uint64_t bytes) {
  BufferLimits l;
  l.max_entries = entries;
  l.max_bytes = bytes;
  l.max_age_ms = 60'000;
  l.max_attempts = 3;
  l.replay_max_entries = 10;
  return l;
}

EntryMeta meta(double created, std::uint64_t bytes, std::uint64_t attempts = 0) {
  EntryMeta m;
  m.created = created;
  m.bytes = bytes;
  m.attempts = attempts;
  return m;
}

template <typename Action>
std::vector<std::size_t> where(const GrowArray<Action>& actions, Action wanted) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < actions.size(); ++i)
    if (actions[i] == wanted) out.push_back(i);
  return out;
}

using Indices = std::vector<std::size_t>;

// Writes metas as the shim does: packed little-endian f64 triples in the scratch buffer.
void put_metas(const std::vector<std::vector<double>>& triples) {
  uint8_t* p = es_scratch(static_cast<uint32_t>(triples.size() * 24));
  for (const auto& t : triples) {
    for (double v : t) {
      std::uint64_t bits;
      std::memcpy(&bits, &v, 8);
      for (int i = 0; i < 8; ++i) *p++ = static_cast<uint8_t>(bits >> (8 * i));
    }
  }
}

std::string output() { return std::string(es_output_ptr(), es_output_len()); }
std::string error() { return std::string(es_error_ptr(), es_error_len()); }

}  // namespace

TEST_CASE("a store within the caps keeps everything") {
  const StorePlan plan = plan_store({meta(1, 10), meta(2, 10)}, {meta(3, 10)}, limits(3, 30));
  CHECK(where(plan.existing, StoreAction::Evict).empty());
  CHECK(where(plan.incoming, StoreAction::Refuse).empty());
}

TEST_CASE("the whole excess is evicted in one step, oldest existing first, then the oldest incoming") {
  const GrowArray<EntryMeta> existing = {meta(1, 1), meta(2, 1), meta(3, 1)};
  SUBCASE("two over the count cap: the two oldest existing go") {
    const StorePlan plan = plan_store(existing, {meta(4, 1), meta(5, 1)}, limits(3, 1000));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0, 1});
    CHECK(where(plan.incoming, StoreAction::Refuse).empty());
  }
  SUBCASE("more incoming than the cap: every existing entry goes, then the oldest incoming") {
    const StorePlan plan = plan_store(existing, {meta(4, 1), meta(5, 1), meta(6, 1), meta(7, 1), meta(8, 1)},
                                      limits(3, 1000));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0, 1, 2});
    CHECK(where(plan.incoming, StoreAction::Refuse) == Indices{0, 1});
  }
  SUBCASE("a store already over a lowered cap is brought back under it") {
    const StorePlan plan = plan_store(existing, {}, limits(1, 1000));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0, 1});
  }
}

TEST_CASE("cap 0 stores nothing and evicts nothing (0 never means the default)") {
  const StorePlan plan = plan_store({meta(1, 5)}, {meta(2, 5), meta(3, 5)}, limits(0, 1000));
  CHECK(where(plan.existing, StoreAction::Evict).empty());
  CHECK(where(plan.incoming, StoreAction::Refuse) == Indices{0, 1});
}

TEST_CASE("the byte cap evicts by bytes, and an entry larger than the cap is refused alone") {
  SUBCASE("bytes over the cap evict the oldest until they fit") {
    const StorePlan plan = plan_store({meta(1, 40), meta(2, 40), meta(3, 10)}, {meta(4, 40)}, limits(100, 100));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0});  // 40 + 10 + 40 = 90 fits
    CHECK(where(plan.incoming, StoreAction::Refuse).empty());
  }
  SUBCASE("eviction is oldest first, never a gap, even if a smaller old entry would fit") {
    const StorePlan plan = plan_store({meta(1, 5), meta(2, 60)}, {meta(3, 50)}, limits(100, 100));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0, 1});
  }
  SUBCASE("an oversized incoming entry is refused and evicts nothing") {
    const StorePlan plan = plan_store({meta(1, 50)}, {meta(2, 101), meta(3, 50)}, limits(100, 100));
    CHECK(where(plan.existing, StoreAction::Evict).empty());
    CHECK(where(plan.incoming, StoreAction::Refuse) == Indices{0});
  }
  SUBCASE("an entry of exactly the cap fits alone") {
    const StorePlan plan = plan_store({meta(1, 1)}, {meta(2, 100)}, limits(100, 100));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0});
    CHECK(where(plan.incoming, StoreAction::Refuse).empty());
  }
  SUBCASE("sizes near 2^53 do not overflow the sum") {
    const std::uint64_t big = (1ull << 53) - 1;
    const StorePlan plan = plan_store({meta(1, big), meta(2, big), meta(3, big)}, {meta(4, big)}, limits(10, big));
    CHECK(where(plan.existing, StoreAction::Evict) == Indices{0, 1, 2});
    CHECK(where(plan.incoming, StoreAction::Refuse).empty());
  }
}

TEST_CASE("4 writers x 800 appends interleaved into cap 200 never leave more than 200 entries") {
  // Each step, one writer appends a batch of 1..3 entries planned against the store as it is
  // (what a Durable Object transaction sees); the store then applies the plan.
  BufferLimits l = limits(200, 200 * 64);
  std::deque<EntryMeta> store;
  std::size_t appended = 0, evicted = 0, refused = 0;
  int written[4] = {0, 0, 0, 0};
  double clock = 1'700'000'000'000.0;
  for (int step = 0; written[0] + written[1] + written[2] + written[3] < 4 * 800; ++step) {
    const int writer = step % 4;
    if (written[writer] == 800) continue;
    const int batch = std::min(1 + (step * 7) % 3, 800 - written[writer]);
    GrowArray<EntryMeta> incoming;
    for (int i = 0; i < batch; ++i) incoming.push_back(meta(clock++, 16 + static_cast<std::uint64_t>((step + i) % 48)));
    GrowArray<EntryMeta> existing;
    for (const EntryMeta& m : store) existing.push_back(m);
    const StorePlan plan = plan_store(existing, incoming, l);
    std::deque<EntryMeta> next;
    for (std::size_t i = 0; i < existing.size(); ++i) {
      if (plan.existing[i] == StoreAction::Evict) ++evicted;
      else next.push_back(existing[i]);
    }
    for (std::size_t i = 0; i < incoming.size(); ++i) {
      if (plan.incoming[i] == StoreAction::Refuse) ++refused;
      else next.push_back(incoming[i]);
    }
    store = std::move(next);
    written[writer] += batch;
    appended += static_cast<std::size_t>(batch);
    REQUIRE(store.size() <= 200);
    std::uint64_t bytes = 0;
    for (const EntryMeta& m : store) bytes += m.bytes;
    REQUIRE(bytes <= l.max_bytes);
    // The survivors are always the newest: evicted in one step, oldest first.
    REQUIRE(std::is_sorted(store.begin(), store.end(), [](const EntryMeta& a, const EntryMeta& b) { return a.created < b.created; }));
    REQUIRE(store.back().created == clock - 1);
  }
  CHECK(appended == 3200);
  CHECK(store.size() == 200);  // entries (16..63 bytes) hit the count cap before the byte cap
  CHECK(refused == 0);
  CHECK(appended == store.size() + evicted + refused);  // nothing vanishes without a reason
}

TEST_CASE("replay takes the oldest first up to replay_max_entries, skipping expired and exhausted") {
  BufferLimits l = limits(100, 1000);
  l.replay_max_entries = 2;
  const double now = 100'000;
  const GrowArray<EntryMeta> entries = {
      meta(now - 60'001, 1),     // expired (older than max_age_ms)
      meta(now - 50'000, 1, 3),  // exhausted (3 attempts of 3)
      meta(now - 40'000, 1, 2),  // replay
      meta(now - 60'000, 1),     // exactly max_age_ms old: not expired; replay
      meta(now - 1, 1),          // over replay_max_entries: waits
      meta(now - 70'000, 1, 5),  // expired and exhausted: expiry wins
  };
  const auto actions = plan_replay(entries, now, l);
  CHECK(where(actions, ReplayAction::Expired) == Indices{0, 5});
  CHECK(where(actions, ReplayAction::Exhausted) == Indices{1});
  CHECK(where(actions, ReplayAction::Replay) == Indices{2, 3});
  CHECK(where(actions, ReplayAction::Wait) == Indices{4});
  l.replay_max_entries = 0;
  CHECK(where(plan_replay(entries, now, l), ReplayAction::Replay).empty());
}

TEST_CASE("after an attempt: delivered deletes, a failure counts until max_attempts or max_age_ms") {
  const BufferLimits l = limits(10, 1000);  // 3 attempts, 60 s
  CHECK(after_attempt(meta(0, 1, 0), true, 1, l) == AttemptOutcome::Delete);
  CHECK(after_attempt(meta(0, 1, 2), true, 1e9, l) == AttemptOutcome::Delete);  // delivered beats everything
  CHECK(after_attempt(meta(0, 1, 0), false, 1, l) == AttemptOutcome::Keep);
  CHECK(after_attempt(meta(0, 1, 1), false, 1, l) == AttemptOutcome::Keep);
  CHECK(after_attempt(meta(0, 1, 2), false, 1, l) == AttemptOutcome::DropExhausted);  // the third failure
  CHECK(after_attempt(meta(0, 1, 0), false, 60'001, l) == AttemptOutcome::DropExpired);
  CHECK(after_attempt(meta(0, 1, 0), false, 60'000, l) == AttemptOutcome::Keep);
  CHECK(after_attempt(meta(100, 1, 0), false, 50, l) == AttemptOutcome::Keep);  // created ahead of this clock
  // Walking one entry through its attempts drops it at exactly max_attempts failures.
  EntryMeta m = meta(0, 1);
  int attempts = 0;
  while (after_attempt(m, false, 10, l) == AttemptOutcome::Keep) {
    ++m.attempts;
    ++attempts;
  }
  CHECK(attempts + 1 == 3);
}

TEST_CASE("the policy ABI reads f64 triples and writes one action byte per entry") {
  put_metas({{1, 10, 0}, {2, 10, 0}, {3, 10, 0}, {4, 10, 0}});  // 2 existing, 2 incoming
  REQUIRE(es_buffer_plan_store(2, 2, 3, 1000) == 4);
  CHECK(output() == std::string("\x01\x00\x00\x00", 4));
  put_metas({{1, 10, 0}, {2, 10, 0}, {3, 10, 0}, {4, 10, 0}});
  REQUIRE(es_buffer_plan_store(1, 3, 0, 1000) == 4);
  CHECK(output() == std::string("\x00\x02\x02\x02", 4));

  put_metas({{0, 1, 0}, {99'000, 1, 3}, {99'500, 1, 0}, {99'600, 1, 0}});
  REQUIRE(es_buffer_plan_replay(4, 100'000, 60'000, 3, 1) == 4);
  CHECK(output() == std::string("\x02\x03\x01\x00", 4));

  CHECK(es_buffer_after_attempt(0, 1, 0, 1, 5, 60'000, 3) == 0);
  CHECK(es_buffer_after_attempt(0, 1, 0, 0, 5, 60'000, 3) == 1);
  CHECK(es_buffer_after_attempt(0, 1, 2, 0, 5, 60'000, 3) == 2);
  CHECK(es_buffer_after_attempt(0, 1, 0, 0, 70'000, 60'000, 3) == 3);
}

TEST_CASE("the policy ABI refuses bad arguments with a message naming them") {
  put_metas({{1, 10, 0}, {2, -1, 0}});
  CHECK(es_buffer_plan_store(1, 1, 3, 1000) == ES_ERR_ARGUMENT);
  CHECK(error() == "incoming entry 0: bytes must be an integer from 0 to 2^53 - 1");
  put_metas({{1, 10, 0.5}});
  CHECK(es_buffer_plan_replay(1, 5, 1, 1, 1) == ES_ERR_ARGUMENT);
  CHECK(error() == "entry 0: attempts must be an integer from 0 to 2^53 - 1");
  put_metas({{std::nan(""), 10, 0}});
  CHECK(es_buffer_plan_replay(1, 5, 1, 1, 1) == ES_ERR_ARGUMENT);
  CHECK(error() == "entry 0: created must be a finite number of milliseconds");
  CHECK(es_buffer_plan_store(0, 0, -1, 10) == ES_ERR_ARGUMENT);
  CHECK(error().find("maxEntries") == 0);
  CHECK(es_buffer_plan_store(0, 0, 1, 1.5) == ES_ERR_ARGUMENT);
  CHECK(error().find("maxBytes") == 0);
  CHECK(es_buffer_plan_replay(0, 1e300 * 1e300, 1, 1, 1) == ES_ERR_ARGUMENT);
  CHECK(error().find("now") == 0);
  CHECK(es_buffer_plan_replay(0, 1, 1, 1, 9007199254740992.0) == ES_ERR_ARGUMENT);
  CHECK(error().find("replayMaxEntries") == 0);
  CHECK(es_buffer_after_attempt(0, 1, 0, 2, 5, 60'000, 3) == ES_ERR_ARGUMENT);
  CHECK(error().find("delivered") == 0);
  CHECK(es_buffer_after_attempt(0, 1, 0, 0, 5, 60'000, -3) == ES_ERR_ARGUMENT);
  CHECK(error().find("maxAttempts") == 0);
  // More entries than the scratch buffer holds: refused, never read past its end.
  CHECK(es_buffer_plan_replay((1u << 20) / 24 + 1, 5, 1, 1, 1) == ES_ERR_ARGUMENT);
  CHECK(error().find("exceed the scratch buffer") != std::string::npos);
  CHECK(es_buffer_plan_store(0xFFFFFFFFu, 0xFFFFFFFFu, 1, 1) == ES_ERR_ARGUMENT);
}
