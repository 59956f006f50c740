//===- SimRangesTest.cpp - Range overlap tests against brute force -------===//
//
// chooseDirect decides between direct and staged exchanges with the tests of
// Ranges.h; a wrong "no overlap" would let a copy read bytes another copy
// already overwrote. Each test is compared with a pairwise check over
// random lists: sorted and unsorted sources, sources overlapping each
// other, empty ranges on both sides.
//
//===----------------------------------------------------------------------===//

#include "Ranges.h"

#include <gtest/gtest.h>

#include <random>

using ipuc::sim::Range;

namespace {

/// overlapsAny's meaning for one pair: r starts inside d, or d starts
/// inside r (for non-empty ranges, that they share a byte).
bool pairOverlaps(const Range &d, const Range &r) {
  return (d.first <= r.first && r.first < d.second) ||
         (r.first < d.first && d.first < r.second);
}

std::vector<Range> disjointSorted(std::mt19937 &rng, size_t n) {
  std::vector<Range> v;
  uintptr_t at = rng() % 8;
  for (size_t i = 0; i < n; ++i) {
    uintptr_t len = rng() % 5 == 0 ? 0 : 1 + rng() % 12;
    v.push_back({at, at + len});
    at += len + rng() % 10;
  }
  return v;
}

std::vector<Range> randomRanges(std::mt19937 &rng, size_t n, uintptr_t span,
                                bool sorted) {
  std::vector<Range> v;
  for (size_t i = 0; i < n; ++i) {
    uintptr_t b = rng() % (span + 1);
    v.push_back({b, b + (rng() % 4 == 0 ? 0 : 1 + rng() % 6)});
  }
  if (sorted)
    std::sort(v.begin(), v.end());
  return v;
}

TEST(SimRanges, AnyOverlapsMatchesPairwiseCheck) {
  std::mt19937 rng(2024);
  int hits = 0, misses = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::vector<Range> dst = disjointSorted(rng, rng() % 12);
    ASSERT_FALSE(ipuc::sim::selfOverlapping(dst));
    uintptr_t span = dst.empty() ? 20 : dst.back().second + 5;
    std::vector<Range> src =
        randomRanges(rng, rng() % 6, span, /*sorted=*/trial % 2 == 0);
    bool want = false;
    for (const Range &r : src)
      for (const Range &d : dst)
        want = want || pairOverlaps(d, r);
    bool perRange = false;
    for (const Range &r : src)
      perRange = perRange || ipuc::sim::overlapsAny(dst, r);
    EXPECT_EQ(ipuc::sim::anyOverlaps(dst, src), want) << "trial " << trial;
    EXPECT_EQ(perRange, want) << "trial " << trial;
    (want ? hits : misses)++;
  }
  // Both answers are exercised often.
  EXPECT_GT(hits, 500);
  EXPECT_GT(misses, 500);
}

TEST(SimRanges, SelfOverlapping) {
  EXPECT_FALSE(ipuc::sim::selfOverlapping({}));
  EXPECT_FALSE(ipuc::sim::selfOverlapping({{0, 4}, {4, 8}, {8, 8}, {8, 9}}));
  EXPECT_TRUE(ipuc::sim::selfOverlapping({{0, 4}, {3, 8}}));
  EXPECT_TRUE(ipuc::sim::selfOverlapping({{0, 10}, {2, 2}}));
}

} // namespace
