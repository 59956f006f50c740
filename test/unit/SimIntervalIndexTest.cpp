//===- SimIntervalIndexTest.cpp - The layouts' interval index -------------===//
//
// detail::findInterval answers through a layout's bucket index when it has
// one (TensorLayout::buildIndex), and by a guess and a gallop otherwise.
// Both must give what a linear search of the intervals gives (the last
// interval starting at or before the element, or 0), for every element
// inside, before and after the tensor and every hint, on mappings with
// intervals of very unequal lengths and with gaps.
//
//===----------------------------------------------------------------------===//

#include "LayoutCopy.h"
#include "TileMemory.h"

#include <gtest/gtest.h>

#include <random>

using namespace ipuc;

namespace {

/// A mapping of `n` elements in intervals whose lengths are drawn from
/// `lengths` (one of them per interval), with every `gapEvery`-th interval
/// dropped (0: none).
sim::TensorLayout layout(std::mt19937 &rng, int64_t n,
                         const std::vector<int64_t> &lengths, int gapEvery) {
  sim::TensorLayout l;
  l.mapped = true;
  l.elemSize = 4;
  l.shape = {n};
  int k = 0;
  for (int64_t b = 0; b < n; ++k) {
    int64_t e = std::min(n, b + lengths[rng() % lengths.size()]);
    if (!gapEvery || k % gapEvery != gapEvery - 1)
      l.intervals.push_back({b, e, static_cast<uint32_t>(rng() % 4), 0});
    b = e;
  }
  return l;
}

uint32_t linearSearch(const sim::TensorLayout &l, int64_t e) {
  uint32_t want = 0;
  for (uint32_t i = 0; i < l.intervals.size(); ++i)
    if (l.intervals[i].begin <= e)
      want = i;
  return want;
}

TEST(SimIntervalIndex, MatchesLinearSearch) {
  std::mt19937 rng(5);
  const std::vector<std::vector<int64_t>> lengthSets = {
      {1}, {7}, {48, 20}, {1, 2, 3}, {1, 1, 1, 1, 500}, {64, 1}, {3000, 2}};
  int indexed = 0;
  for (int trial = 0; trial < 120; ++trial) {
    int64_t n = 1 + rng() % 4000;
    auto l = layout(rng, n, lengthSets[trial % lengthSets.size()],
                    trial % 4 == 3 ? 3 : 0);
    if (l.intervals.empty())
      continue;
    l.buildIndex();
    indexed += !l.bucketFirst.empty();
    // Buckets never outnumber the intervals by more than one.
    EXPECT_LE(l.bucketFirst.size(), l.intervals.size() + 1);
    std::vector<uint32_t> hints = {0,
                                   static_cast<uint32_t>(l.intervals.size())};
    for (int h = 0; h < 4; ++h)
      hints.push_back(rng() % l.intervals.size());
    for (int64_t e = -2; e < n + 2; ++e) {
      uint32_t want = linearSearch(l, e);
      uint32_t got = 0;
      if (l.lookUp(e, got))
        ASSERT_EQ(got, want) << "trial " << trial << " element " << e;
      for (uint32_t from : hints)
        ASSERT_EQ(sim::detail::findInterval(l, e, from), want)
            << "trial " << trial << " element " << e << " from " << from;
    }
  }
  // Most layouts are big enough to have an index: the indexed path is what
  // was tested.
  EXPECT_GT(indexed, 80);
}

// A layout with few intervals has no index, and an element outside the
// tensor is not answered through one.
TEST(SimIntervalIndex, SmallLayoutsAndOutsideElements) {
  std::mt19937 rng(9);
  auto small = layout(rng, 40, {4}, 0);
  small.buildIndex();
  EXPECT_TRUE(small.bucketFirst.empty());
  uint32_t i = 7;
  EXPECT_FALSE(small.lookUp(3, i));
  auto big = layout(rng, 1000, {4}, 0);
  big.buildIndex();
  ASSERT_FALSE(big.bucketFirst.empty());
  EXPECT_FALSE(big.lookUp(-1, i));
  EXPECT_FALSE(big.lookUp(int64_t(1) << 40, i));
  ASSERT_TRUE(big.lookUp(999, i));
  EXPECT_EQ(i, 249u);
}

} // namespace
