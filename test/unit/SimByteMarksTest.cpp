//===- SimByteMarksTest.cpp - Byte bitmap against a byte array -----------===//
//
// chooseDirect decides between direct and staged exchanges with ByteMarks;
// a wrong "not marked" would let a copy read bytes another copy already
// overwrote. Random ranges (empty ones, ones inside one 64-bit word, ones
// spanning many, at every offset, and 4-byte aligned ones at a 4-byte
// granule) are marked, queried and cleared, and each answer is compared
// with a plain array of one flag per byte.
//
//===----------------------------------------------------------------------===//

#include "ByteMarks.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using ipuc::sim::ByteMarks;

namespace {

/// Random ranges aligned to 2^shift bytes, marked at that granule, in a
/// region of `kSize` bytes.
void checkAgainstFlags(unsigned shift, uint64_t kSize = 1000 * 4) {
  std::vector<uint8_t> region(kSize);
  ByteMarks marks;
  marks.reset(region.data(), kSize);
  marks.setGranule(shift);
  EXPECT_TRUE(marks.covers(region.data()));
  std::mt19937 rng(7 + shift);
  std::vector<bool> flag(kSize, false);
  int fresh = 0, stale = 0, hits = 0, misses = 0, clearedAll = 0;
  uint64_t g = uint64_t(1) << shift;
  for (int trial = 0; trial < 20000; ++trial) {
    uint64_t b = rng() % (kSize / g) * g;
    uint64_t maxLen = rng() % 3 == 0 ? 200 : 9;
    uint64_t n = std::min<uint64_t>(rng() % (maxLen + 1) * g, kSize - b);
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
    default: // clear, now and then all of it
      if (trial % 97 == 0) {
        marks.clearAll();
        flag.assign(kSize, false);
        ++clearedAll;
        break;
      }
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
  EXPECT_GT(clearedAll, 20);
  // Clearing everything leaves nothing marked.
  marks.clear(region.data(), kSize);
  EXPECT_FALSE(marks.anyMarked(region.data(), kSize));
}

TEST(SimByteMarks, MatchesOneFlagPerByte) { checkAgainstFlags(0); }
// 4000 bytes are one stretch of the bitmap (4096 bytes at one bit each), so
// a stretch is clean only after clearAll. Ten stretches mix clean ones,
// whose words are written without being read and never read by a query,
// with dirty ones.
TEST(SimByteMarks, MatchesOneFlagPerByteOverManyStretches) {
  checkAgainstFlags(0, 10 * 4096 + 100);
}
TEST(SimByteMarks, MatchesOneFlagPerByteAtFourByteGranule) {
  checkAgainstFlags(2);
}

// The granule chooseDirect picks: the largest power of two (up to 64)
// dividing every offset and length.
TEST(SimByteMarks, GranuleOfAlignedRanges) {
  std::vector<uint8_t> region(4096);
  ByteMarks marks;
  marks.reset(region.data(), region.size());
  uint64_t a = marks.foldAlignment(0, region.data() + 16, 8);
  EXPECT_EQ(ByteMarks::granuleShift(a), 3u);
  a = marks.foldAlignment(a, region.data() + 4, 4);
  EXPECT_EQ(ByteMarks::granuleShift(a), 2u);
  a = marks.foldAlignment(a, region.data() + 4, 6);
  EXPECT_EQ(ByteMarks::granuleShift(a), 1u);
  EXPECT_EQ(ByteMarks::granuleShift(0), 6u);
  EXPECT_EQ(ByteMarks::granuleShift(marks.foldAlignment(0, region.data(), 1)),
            0u);
}

// clearAll zeroes the stretches that were marked, wherever they are: the
// first and last bytes, and ranges across a stretch boundary (64 words of
// the bitmap, 4096 bytes at granule 1).
TEST(SimByteMarks, ClearAllUnmarksEverything) {
  constexpr uint64_t kSize = 3 * 4096 + 100;
  std::vector<uint8_t> region(kSize);
  ByteMarks marks;
  marks.reset(region.data(), kSize);
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(marks.mark(region.data(), 1));
    EXPECT_TRUE(marks.mark(region.data() + kSize - 1, 1));
    EXPECT_TRUE(marks.mark(region.data() + 4096 - 10, 20));
    EXPECT_TRUE(marks.mark(region.data() + 2 * 4096 + 7, 3000));
    EXPECT_FALSE(marks.mark(region.data() + 4096, 1));
    marks.clearAll();
    EXPECT_FALSE(marks.anyMarked(region.data(), kSize)) << "round " << round;
  }
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
