#include <doctest/doctest.h>

#include "edgescope/sampling.hpp"

using namespace edgescope;

TEST_CASE("head sampling is a pure function of the trace id") {
  const Sampler a(0.25), b(0.25);
  IdGenerator ids({1, 2, 3, 4});
  int sampled = 0;
  for (int i = 0; i < 20000; ++i) {
    const TraceId id = ids.next_trace_id();
    CHECK(a.sample_root(id) == b.sample_root(id));
    sampled += a.sample_root(id) ? 1 : 0;
  }
  // 20000 Bernoulli(0.25) draws: 5000 +/- 5 standard deviations (~306).
  CHECK(sampled > 4694);
  CHECK(sampled < 5306);
}

TEST_CASE("ratios 0 and 1 never and always sample; the parent's flag wins") {
  const Sampler never(0.0), always(1.0);
  IdGenerator ids({9, 9, 9, 9});
  for (int i = 0; i < 1000; ++i) {
    const TraceId id = ids.next_trace_id();
    CHECK_FALSE(never.sample_root(id));
    CHECK(always.sample_root(id));
    CHECK(never.sample(id, true));
    CHECK_FALSE(always.sample(id, false));
  }
}

TEST_CASE("ids are never zero and differ between generators seeded differently") {
  IdGenerator a({1, 0, 0, 0}), b({2, 0, 0, 0}), zero({0, 0, 0, 0});
  for (int i = 0; i < 1000; ++i) {
    CHECK(zero.next_span_id() != 0);
    CHECK(zero.next_trace_id().is_valid());
  }
  CHECK_FALSE(a.next_trace_id() == b.next_trace_id());
}
