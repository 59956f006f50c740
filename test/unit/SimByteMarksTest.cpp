//===- SimByteMarksTest.cpp - Byte bitmap against a byte array -----------===//
//
// chooseDirect decides between direct and staged exchanges with ByteMarks;
// a wrong "not marked" would let a copy read bytes another copy already
// overwrote. Random ranges (empty ones, ones inside one 64-bit word, ones
// spanning many, at every offset) are marked, queried and cleared, and each
// answer is compared with a plain array of one flag per byte.
//
//===----------------------------------------------------------------------===//

#include "ByteMarks.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using ipuc::sim::ByteMarks;

namespace {

TEST(SimByteMarks, MatchesOneFlagPerByte) {
  constexpr uint64_t kSize = 1000; // not a multiple of 64
  std::vector<uint8_t> region(kSize);
  ByteMarks marks;
  marks.reset(region.data(), kSize);
  EXPECT_TRUE(marks.covers(region.data()));
  std::mt19937 rng(7);
  std::vector<bool> flag(kSize, false);
  int fresh = 0, stale = 0, hits = 0, misses = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    uint64_t b = rng() % kSize;
    uint64_t maxLen = rng() % 3 == 0 ? 200 : 9;
    uint64_t n = std::min<uint64_t>(rng() % (maxLen + 1), kSize - b);
    bool want = false;
    for (uint64_t i = b; i < b + n; ++i)
      want = want || flag[i];
    switch (rng() % 3) {
    case 0: // mark
      EXPECT_EQ(marks.mark(region.data() + b, n), !want) << "trial " << trial;
      for (uint64_t i = b; i < b + n; ++i)
        flag[i] = true;
      (want ? stale : fresh)++;
      break;
    case 1: // query
      EXPECT_EQ(marks.anyMarked(region.data() + b, n), want)
          << "trial " << trial;
      (want ? hits : misses)++;
      break;
    default: // clear
      marks.clear(region.data() + b, n);
      for (uint64_t i = b; i < b + n; ++i)
        flag[i] = false;
    }
  }
  // Every answer is exercised often.
  EXPECT_GT(fresh, 500);
  EXPECT_GT(stale, 500);
  EXPECT_GT(hits, 500);
  EXPECT_GT(misses, 500);
  // Clearing everything leaves nothing marked.
  marks.clear(region.data(), kSize);
  EXPECT_FALSE(marks.anyMarked(region.data(), kSize));
}

TEST(SimByteMarks, EmptyRangesAreNeverMarked) {
  std::vector<uint8_t> region(128);
  ByteMarks marks;
  marks.reset(region.data(), region.size());
  EXPECT_TRUE(marks.mark(region.data(), 128));
  EXPECT_TRUE(marks.mark(region.data() + 5, 0));
  EXPECT_FALSE(marks.anyMarked(region.data() + 64, 0));
  EXPECT_FALSE(marks.mark(region.data() + 127, 1));
  EXPECT_FALSE(marks.covers(region.data() + 1));
}

} // namespace
