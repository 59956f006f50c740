//===- SimBoxSegmentsTest.cpp - Box to segments against a naive walk -----===//
//
// TensorLayout::boxSegments resolves a box into contiguous runs of tile
// memory with a search hint and a forward gallop through the intervals.
// Here it is checked against the obvious reference: visit every element of
// the box in row-major order, find its interval by a linear scan, and join
// neighbours that continue each other on the same tile. Layouts are ragged
// (intervals of random lengths on random tiles), boxes random,
// from rank 0 to rank 4, including empty and whole-tensor boxes, and layouts
// with holes, where the first unmapped element must be reported.
//
//===----------------------------------------------------------------------===//

#include "TileMemory.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

using ipuc::sim::Interval;
using ipuc::sim::Segment;
using ipuc::sim::TensorLayout;

namespace {

/// The reference. False with `unmapped` set if an element has no interval.
bool naiveSegments(const TensorLayout &l, const std::vector<int64_t> &offsets,
                   const std::vector<int64_t> &sizes, std::vector<Segment> &out,
                   int64_t &unmapped) {
  size_t rank = l.shape.size();
  int64_t count = 1;
  for (int64_t s : sizes)
    count *= s;
  std::vector<int64_t> idx(rank, 0);
  uint64_t buf = 0;
  for (int64_t e = 0; e < count; ++e) {
    int64_t flat = 0;
    for (size_t d = 0; d < rank; ++d)
      flat = flat * l.shape[d] + offsets[d] + idx[d];
    const Interval *iv = nullptr;
    for (const Interval &c : l.intervals)
      if (c.begin <= flat && flat < c.end)
        iv = &c;
    if (!iv)
      return (unmapped = flat, false);
    uint64_t address = iv->address + (flat - iv->begin) * l.elemSize;
    if (!out.empty() && out.back().tile == iv->tile &&
        out.back().address + out.back().bytes == address)
      out.back().bytes += l.elemSize;
    else
      out.push_back({iv->tile, address, buf, l.elemSize, flat});
    buf += l.elemSize;
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < sizes[d])
        break;
      idx[d] = 0;
    }
  }
  return true;
}

/// A layout of `shape` cut into intervals of 1..maxLen elements on random
/// tiles, each at its own address; with `holes`, some intervals are left
/// out. Never empty ones: buildLayouts drops those (SimDevice tests).
TensorLayout randomLayout(std::mt19937 &rng, std::vector<int64_t> shape,
                          size_t elemSize, int64_t maxLen, bool holes) {
  TensorLayout l;
  l.mapped = true;
  l.elemSize = elemSize;
  l.shape = shape;
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  std::vector<uint64_t> next(5, 0);
  for (int64_t b = 0; b < n;) {
    int64_t len = std::uniform_int_distribution<int64_t>(1, maxLen)(rng);
    len = std::min(len, n - b);
    uint32_t tile = std::uniform_int_distribution<uint32_t>(0, 4)(rng);
    bool skip = holes && rng() % 6 == 0;
    if (!skip) {
      // Sometimes right after the tile's previous interval, so that runs
      // can merge across intervals.
      if (rng() % 3)
        next[tile] += elemSize * (1 + rng() % 4);
      l.intervals.push_back({b, b + len, tile, next[tile]});
      next[tile] += len * elemSize;
    }
    b += len;
  }
  std::vector<Interval> &own = l.intervals.own();
  std::stable_sort(
      own.begin(), own.end(),
      [](const Interval &a, const Interval &b) { return a.begin < b.begin; });
  return l;
}

/// The layout with its blocks built, as buildLayouts leaves it: runs inside
/// a block are then placed without the interval search.
TensorLayout withBlocks(TensorLayout l) {
  std::vector<int32_t> openBlock(16, -1);
  l.buildBlocks(openBlock);
  return l;
}

void expectSameSegments(const std::vector<Segment> &got,
                        const std::vector<Segment> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].tile, want[i].tile) << i;
    EXPECT_EQ(got[i].address, want[i].address) << i;
    EXPECT_EQ(got[i].bufOffset, want[i].bufOffset) << i;
    EXPECT_EQ(got[i].bytes, want[i].bytes) << i;
    EXPECT_EQ(got[i].element, want[i].element) << i;
  }
}

void checkRandomBoxes(std::mt19937 &rng, const TensorLayout &l, int boxes) {
  size_t rank = l.shape.size();
  for (int k = 0; k < boxes; ++k) {
    std::vector<int64_t> offsets(rank), sizes(rank);
    for (size_t d = 0; d < rank; ++d) {
      int64_t dim = l.shape[d];
      switch (rng() % 4) {
      case 0: // whole dimension
        offsets[d] = 0, sizes[d] = dim;
        break;
      case 1: // one index
        offsets[d] = rng() % dim, sizes[d] = 1;
        break;
      default:
        offsets[d] = rng() % dim;
        sizes[d] = rng() % (dim - offsets[d] + 1); // may be empty
      }
    }
    std::vector<Segment> got, want;
    int64_t badGot = -1, badWant = -1;
    bool okGot = l.boxSegments(offsets.data(), sizes.data(), got, badGot);
    bool okWant = naiveSegments(l, offsets, sizes, want, badWant);
    ASSERT_EQ(okGot, okWant) << "box " << k;
    if (!okWant) {
      EXPECT_EQ(badGot, badWant) << "box " << k;
      continue;
    }
    expectSameSegments(got, want);
  }
}

TEST(SimBoxSegments, MatchesNaiveWalkOnRaggedLayouts) {
  std::mt19937 rng(12345);
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {1}, {37}, {6, 7}, {16, 24}, {3, 1, 5}, {4, 6, 10}, {2, 3, 4, 5}};
  for (const auto &shape : shapes)
    for (size_t elemSize : {1u, 4u})
      for (int64_t maxLen : {1, 3, 17, 400}) {
        SCOPED_TRACE(::testing::Message() << "rank " << shape.size() << " elem "
                                          << elemSize << " maxLen " << maxLen);
        {
          TensorLayout l = randomLayout(rng, shape, elemSize, maxLen, false);
          checkRandomBoxes(rng, l, 60);
          checkRandomBoxes(rng, withBlocks(l), 60);
        }
      }
}

TEST(SimBoxSegments, ReportsTheFirstUnmappedElement) {
  std::mt19937 rng(777);
  for (const std::vector<int64_t> &shape :
       std::vector<std::vector<int64_t>>{{50}, {9, 11}, {4, 5, 6}})
    for (int64_t maxLen : {1, 4, 13}) {
      SCOPED_TRACE(::testing::Message()
                   << "rank " << shape.size() << " maxLen " << maxLen);
      TensorLayout l = randomLayout(rng, shape, 4, maxLen, true);
      checkRandomBoxes(rng, l, 80);
      checkRandomBoxes(rng, withBlocks(l), 80);
    }
}

/// [rows x cols] split into a grid of rowBlocks x colBlocks pieces, each on
/// its own tile with its rows packed: one interval per row of a piece, and
/// one block per piece (the partitioner's 2-D tiling).
TensorLayout gridLayout(int64_t rows, int64_t cols, int64_t rowBlocks,
                        int64_t colBlocks) {
  TensorLayout l;
  l.mapped = true;
  l.elemSize = 4;
  l.shape = {rows, cols};
  int64_t br = (rows + rowBlocks - 1) / rowBlocks;
  int64_t bc = (cols + colBlocks - 1) / colBlocks;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c0 = 0; c0 < cols; c0 += bc) {
      int64_t c1 = std::min(cols, c0 + bc);
      uint32_t tile = static_cast<uint32_t>((r / br) * colBlocks + c0 / bc);
      l.intervals.push_back(
          {r * cols + c0, r * cols + c1, tile,
           static_cast<uint64_t>((r % br) * (c1 - c0)) * l.elemSize});
    }
  return l;
}

// A column block of a 2-D tiled matrix is one segment per row, each in a
// different interval with other tiles' rows in between: placed through the
// blocks or, without them, the forward interval search.
TEST(SimBoxSegments, BoxesOfATiledMatrix) {
  TensorLayout l = gridLayout(64, 40, 4, 3);
  TensorLayout b = withBlocks(l);
  EXPECT_EQ(b.blocks.size(), 12u);
  std::vector<int64_t> offsets = {5, 15}, sizes = {50, 2};
  std::vector<Segment> got, gotBlocks, want;
  int64_t bad = -1;
  ASSERT_TRUE(l.boxSegments(offsets.data(), sizes.data(), got, bad));
  ASSERT_TRUE(b.boxSegments(offsets.data(), sizes.data(), gotBlocks, bad));
  ASSERT_TRUE(naiveSegments(l, offsets, sizes, want, bad));
  ASSERT_EQ(want.size(), 50u);
  expectSameSegments(got, want);
  expectSameSegments(gotBlocks, want);
  // Row 5, column 15: tile (5 / 16) * 3 + 15 / 14 = 1, piece row 5 of 14
  // elements, element 1 of it.
  EXPECT_EQ(want[0].tile, 1u);
  EXPECT_EQ(want[0].address, (5u * 14 + 1) * 4);
  std::mt19937 rng(99);
  for (auto [r, c, rb, cb] : std::vector<std::array<int64_t, 4>>{
           {64, 40, 4, 3}, {17, 9, 3, 2}, {5, 128, 1, 7}, {33, 1, 4, 1}}) {
    SCOPED_TRACE(::testing::Message()
                 << r << "x" << c << " in " << rb << "x" << cb);
    checkRandomBoxes(rng, gridLayout(r, c, rb, cb), 100);
    checkRandomBoxes(rng, withBlocks(gridLayout(r, c, rb, cb)), 100);
  }
}

} // namespace
