//===- SimLayoutCopyTest.cpp - Box copies walked through the layouts ------===//
//
// The simulator decodes an exchange copy whose boxes span several mapping
// intervals by walking it as a LayoutCopy through both layouts. These
// tests compare the walk with a reference that maps every element of both
// boxes on its own (a linear search of the intervals) on random layouts,
// shapes and boxes: the same bytes, in the same order, in the fewest
// pieces. Exchanges built of such copies (direct, staged, chunked on the
// thread pool) are checked against plain index arithmetic.
//
//===----------------------------------------------------------------------===//

#include "LayoutCopy.h"
#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

constexpr uint32_t kTiles = 4;

/// A random mapping of `shape`: intervals of random lengths (all one length
/// when `uniform`), each on a random tile, placed on that tile after the
/// last one with a random gap. `extents` grows to each tile's end.
sim::TensorLayout randomLayout(std::mt19937 &rng, std::vector<int64_t> shape,
                               bool uniform, std::vector<uint64_t> &extents) {
  sim::TensorLayout l;
  l.mapped = true;
  l.elemSize = 4;
  l.shape = std::move(shape);
  int64_t n = 1;
  for (int64_t d : l.shape)
    n *= d;
  int64_t len = 1 + rng() % 7;
  for (int64_t b = 0; b < n;) {
    int64_t e = std::min<int64_t>(n, b + (uniform ? len : 1 + rng() % 9));
    uint32_t tile = rng() % kTiles;
    uint64_t address = extents[tile] + 4 * (rng() % 3);
    l.intervals.push_back({b, e, tile, address});
    extents[tile] = address + static_cast<uint64_t>(e - b) * 4;
    b = e;
  }
  std::vector<int32_t> openBlock(kTiles, -1);
  l.buildBlocks(openBlock);
  return l;
}

/// Where flat element `e` of `l` lives, by a search of every interval.
std::pair<uint32_t, uint64_t> place(const sim::TensorLayout &l, int64_t e) {
  for (const sim::Interval &iv : l.intervals)
    if (iv.begin <= e && e < iv.end)
      return {iv.tile, iv.address + static_cast<uint64_t>(e - iv.begin) * 4};
  ADD_FAILURE() << "element " << e << " unmapped";
  return {0, 0};
}

/// The flat elements of a box, in row-major order.
std::vector<int64_t> boxElements(const sim::TensorLayout &l,
                                 const std::vector<int64_t> &offsets,
                                 const std::vector<int64_t> &sizes) {
  std::vector<int64_t> out, idx(sizes.size(), 0);
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  for (int64_t k = 0; k < n; ++k) {
    int64_t flat = 0;
    for (size_t d = 0; d < sizes.size(); ++d)
      flat = flat * l.shape[d] + offsets[d] + idx[d];
    out.push_back(flat);
    for (size_t d = sizes.size(); d-- > 0;) {
      if (++idx[d] < sizes[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

struct Piece {
  uint32_t srcTile, dstTile;
  uint64_t srcAddress, dstAddress, bytes;
  bool operator==(const Piece &o) const {
    return srcTile == o.srcTile && dstTile == o.dstTile &&
           srcAddress == o.srcAddress && dstAddress == o.dstAddress &&
           bytes == o.bytes;
  }
};
std::ostream &operator<<(std::ostream &os, const Piece &p) {
  return os << "{" << p.srcTile << ":" << p.srcAddress << " -> " << p.dstTile
            << ":" << p.dstAddress << ", " << p.bytes << "}";
}

/// The reference: element k of the source box to element k of the
/// destination box, joined into a piece while both sides go on contiguously
/// on the same tiles.
std::vector<Piece> referencePieces(const sim::TensorLayout &src,
                                   const std::vector<int64_t> &so,
                                   const std::vector<int64_t> &ss,
                                   const sim::TensorLayout &dst,
                                   const std::vector<int64_t> &dof,
                                   const std::vector<int64_t> &ds) {
  std::vector<int64_t> se = boxElements(src, so, ss),
                       de = boxElements(dst, dof, ds);
  EXPECT_EQ(se.size(), de.size());
  std::vector<Piece> out;
  for (size_t k = 0; k < se.size(); ++k) {
    auto [st, sa] = place(src, se[k]);
    auto [dt, da] = place(dst, de[k]);
    if (!out.empty()) {
      Piece &b = out.back();
      if (b.srcTile == st && b.dstTile == dt && b.srcAddress + b.bytes == sa &&
          b.dstAddress + b.bytes == da) {
        b.bytes += 4;
        continue;
      }
    }
    out.push_back({st, dt, sa, da, 4});
  }
  return out;
}

template <bool Checked>
std::vector<Piece> walk(const sim::LayoutCopy &c, sim::TileMemory &memory) {
  std::vector<Piece> out;
  bool done = c.forEachPiece<Checked>(
      memory, [&](uint32_t st, const uint8_t *sp, uint32_t dt, uint8_t *dp,
                  uint64_t n) {
        out.push_back({st, dt, static_cast<uint64_t>(sp - memory.tile(st)),
                       static_cast<uint64_t>(dp - memory.tile(dt)), n});
        return true;
      });
  EXPECT_TRUE(done);
  return out;
}

std::vector<int64_t> randomShape(std::mt19937 &rng, size_t rank) {
  std::vector<int64_t> s;
  for (size_t d = 0; d < rank; ++d)
    s.push_back(1 + rng() % 6);
  return s;
}

// Random boxes of random layouts into: a box of the same sizes in another
// tensor of the same rank; the same elements as a 1-D box; and the box
// with unit dimensions put in. Every description must walk to exactly the
// reference's pieces, checked or not.
TEST(SimLayoutCopy, WalkMatchesElementByElementReference) {
  std::mt19937 rng(11);
  int described = 0, multiPiece = 0, strided = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint64_t> extents(kTiles, 0);
    size_t rank = 1 + rng() % 4;
    auto srcShape = randomShape(rng, rank);
    auto src = randomLayout(rng, srcShape, rng() % 2, extents);
    std::vector<int64_t> so, ss;
    int64_t n = 1;
    for (size_t d = 0; d < rank; ++d) {
      ss.push_back(1 + rng() % srcShape[d]);
      so.push_back(rng() % (srcShape[d] - ss[d] + 1));
      n *= ss[d];
    }
    std::vector<int64_t> dstShape, dof, ds;
    switch (trial % 3) {
    case 0: // same sizes, somewhere in a bigger tensor
      for (size_t d = 0; d < rank; ++d) {
        dstShape.push_back(ss[d] + rng() % 3);
        ds.push_back(ss[d]);
        dof.push_back(rng() % (dstShape[d] - ss[d] + 1));
      }
      break;
    case 1: // flat
      dstShape = {n + static_cast<int64_t>(rng() % 5)};
      ds = {n};
      dof = {static_cast<int64_t>(rng() % (dstShape[0] - n + 1))};
      break;
    default: // unit dimensions put in
      for (size_t d = 0; d < rank; ++d) {
        dstShape.push_back(1);
        ds.push_back(1);
        dof.push_back(0);
        dstShape.push_back(ss[d]);
        ds.push_back(ss[d]);
        dof.push_back(0);
      }
    }
    auto dst = randomLayout(rng, dstShape, rng() % 2, extents);
    sim::TileMemory memory(extents);
    sim::LayoutCopy c;
    if (!sim::describeLayoutCopy(src, so.data(), ss.data(), dst, dof.data(),
                                 ds.data(), c))
      continue;
    ++described;
    strided += c.rank > 0;
    EXPECT_EQ(c.elements(), static_cast<uint64_t>(n));
    EXPECT_EQ(c.bytes(), static_cast<uint64_t>(n) * 4);
    auto want = referencePieces(src, so, ss, dst, dof, ds);
    multiPiece += want.size() > 1;
    EXPECT_EQ(walk<true>(c, memory), want) << "trial " << trial;
    EXPECT_EQ(walk<false>(c, memory), want) << "trial " << trial;
  }
  // Same-rank boxes, flat ones and unit dimensions always nest.
  EXPECT_EQ(described, 3000);
  EXPECT_GT(multiPiece, 2000);
  EXPECT_GT(strided, 1000);
}

// findInterval and rowInterval against a linear search, from every hint,
// on layouts of equal and of random interval lengths, with and without gaps.
TEST(SimLayoutCopy, FindIntervalMatchesLinearSearch) {
  std::mt19937 rng(17);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint64_t> extents(kTiles, 0);
    auto l = randomLayout(rng, {1 + static_cast<int64_t>(rng() % 60)},
                          trial % 2, extents);
    if (trial % 3 == 0 && l.intervals.size() > 2) // gaps: drop every third
      for (size_t i = l.intervals.size(); i-- > 0;)
        if (i % 3 == 1)
          l.intervals.erase(l.intervals.begin() + i);
    int64_t n = l.shape[0];
    for (int64_t e = 0; e < n + 2; ++e) {
      uint32_t want = 0;
      for (uint32_t i = 0; i < l.intervals.size(); ++i)
        if (l.intervals[i].begin <= e)
          want = i;
      for (uint32_t from = 0; from <= l.intervals.size(); ++from) {
        ASSERT_EQ(sim::detail::findInterval(l, e, from), want)
            << "trial " << trial << " element " << e << " from " << from;
        // The row-start guess gives the same answer whether its guess is
        // right, one off, or wrong (past the end too).
        for (int k = 0; k < 4; ++k) {
          uint32_t lastRow = rng() % (l.intervals.size() + 2);
          uint32_t step =
              k == 0 && want >= lastRow ? want - lastRow : rng() % 5;
          ASSERT_EQ(sim::detail::rowInterval(l, e, from, lastRow, step), want)
              << "trial " << trial << " element " << e << " from " << from
              << " lastRow " << lastRow << " step " << step;
        }
      }
    }
  }
}

// The walk stops where f says, and reports it.
TEST(SimLayoutCopy, WalkStopsWhenAsked) {
  std::mt19937 rng(3);
  std::vector<uint64_t> extents(kTiles, 0);
  auto src = randomLayout(rng, {6, 6}, false, extents);
  auto dst = randomLayout(rng, {36}, false, extents);
  sim::TileMemory memory(extents);
  int64_t so[] = {0, 0}, ss[] = {6, 6}, dof[] = {0}, ds[] = {36};
  sim::LayoutCopy c;
  ASSERT_TRUE(sim::describeLayoutCopy(src, so, ss, dst, dof, ds, c));
  int seen = 0;
  EXPECT_FALSE(
      c.forEachPiece(memory, [&](uint32_t, const uint8_t *, uint32_t, uint8_t *,
                                 uint64_t) { return ++seen < 3; }));
  EXPECT_EQ(seen, 3);
}

// A checked walk fails at an element no interval maps (before, between and
// after the intervals); the decoder then leaves the copy to the run-by-run
// path, which reports the element.
TEST(SimLayoutCopy, CheckedWalkFailsOnUnmappedElements) {
  std::vector<uint64_t> extents(kTiles, 256);
  sim::TileMemory memory(extents);
  sim::TensorLayout line;
  line.mapped = true;
  line.elemSize = 4;
  line.shape = {16};
  line.intervals = {{0, 16, 3, 0}};
  for (std::vector<sim::Interval> ivs :
       {std::vector<sim::Interval>{{2, 16, 0, 0}},
        std::vector<sim::Interval>{{0, 5, 0, 0}, {6, 16, 1, 0}},
        std::vector<sim::Interval>{{0, 12, 0, 0}}}) {
    sim::TensorLayout l = line;
    l.intervals = ivs;
    int64_t o[] = {0}, s[] = {16};
    sim::LayoutCopy c;
    ASSERT_TRUE(sim::describeLayoutCopy(l, o, s, line, o, s, c));
    EXPECT_FALSE(
        c.forEachPiece<true>(memory, [](uint32_t, const uint8_t *, uint32_t,
                                        uint8_t *, uint64_t) { return true; }));
    ASSERT_TRUE(sim::describeLayoutCopy(line, o, s, l, o, s, c));
    EXPECT_FALSE(
        c.forEachPiece<true>(memory, [](uint32_t, const uint8_t *, uint32_t,
                                        uint8_t *, uint64_t) { return true; }));
  }
}

// What it cannot describe: element sizes that differ, empty boxes, shapes
// that do not nest, more outer dimensions than a descriptor holds.
TEST(SimLayoutCopy, RejectsWhatItCannotDescribe) {
  std::mt19937 rng(5);
  std::vector<uint64_t> extents(kTiles, 0);
  auto wide = randomLayout(rng, {3, 7}, false, extents);
  auto tall = randomLayout(rng, {5, 4}, false, extents);
  sim::LayoutCopy c;
  int64_t wo[] = {0, 1}, ws[] = {3, 5}, to[] = {0, 0}, ts[] = {5, 3};
  EXPECT_FALSE(sim::describeLayoutCopy(wide, wo, ws, tall, to, ts, c));
  auto halves = wide;
  halves.elemSize = 2;
  int64_t o[] = {0, 0}, s[] = {3, 7}, e[] = {0, 7};
  EXPECT_FALSE(sim::describeLayoutCopy(wide, o, s, halves, o, s, c));
  EXPECT_FALSE(sim::describeLayoutCopy(wide, o, e, wide, o, e, c));
  // A 2^6 box of a 4^6 tensor: rows of 2 on five strided dimensions, one
  // more than a descriptor holds; a 2^5 box fits.
  auto big = randomLayout(rng, {4, 4, 4, 4, 4, 4}, true, extents);
  auto flat = randomLayout(rng, {64}, true, extents);
  int64_t bo[] = {0, 0, 0, 0, 0, 0}, bs[] = {2, 2, 2, 2, 2, 2}, fo[] = {0},
          fs[] = {64};
  EXPECT_FALSE(sim::describeLayoutCopy(big, bo, bs, flat, fo, fs, c));
  EXPECT_FALSE(sim::describeLayoutCopy(big, bo, bs, big, bo, bs, c));
  int64_t b5[] = {1, 2, 2, 2, 2, 2}, f5[] = {32};
  ASSERT_TRUE(sim::describeLayoutCopy(big, bo, b5, flat, fo, f5, c));
  EXPECT_EQ(c.inner, 2);
  EXPECT_EQ(c.rank, 4u);
  EXPECT_EQ(c.srcStride[0], 4 * 4 * 4 * 4);
  EXPECT_EQ(c.dstStride[0], 16);
}

// A matrix split over three tiles in pieces of 37 elements, gathered in
// column blocks into a staging tensor on tile 3 (direct: nothing is read
// where anything is written); large enough that the exchange is split into
// chunks for the pool, on one thread and on three.
TEST(SimLayoutCopy, ColumnBlocksOfSplitMatrixGathered) {
  const int64_t rows = 256, cols = 600, bw = 50;
  TB b;
  uint32_t m = b.addConstant("m", {rows, cols}, iota(rows * cols));
  uint32_t y = b.addOutput("y", {cols / bw, rows, bw});
  mapSplit(b, m, rows * cols, 37, 0);
  b.mapOn(y, 3, rows * cols, 0);
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t k = 0; k < cols / bw; ++k)
    copies.push_back(
        {{m, {0, k * bw}, {rows, bw}}, {y, {k, 0, 0}, {1, rows, bw}}});
  b.add(TB::exchange("gather", copies));
  DeviceSpec dev;
  dev.sram = 1 << 20;
  plan::LoadedPlan lp = load(b.finish(dev));
  std::vector<float> want;
  for (int64_t k = 0; k < cols / bw; ++k)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < bw; ++c)
        want.push_back(static_cast<float>(r * cols + k * bw + c));
  EXPECT_EQ(runAndRead(lp, "y", want.size(), 1), want);
  EXPECT_EQ(runAndRead(lp, "y", want.size(), 3), want);
}

// Layout copies whose destination is another copy's source go through
// staging in plan order: every copy reads the state before the exchange,
// and of two copies into the same elements the later wins.
TEST(SimLayoutCopy, StagedCopiesReadSnapshotAndLaterWins) {
  TB b;
  uint32_t k = b.addConstant("k", {6, 10}, iota(60));
  uint32_t a = b.addF32("a", {6, 10});
  uint32_t y = b.addOutput("y", {6, 10});
  mapSplit(b, k, 60, 7, 0);
  mapSplit(b, a, 60, 9, 512);
  b.mapOn(y, 3, 60, 0);
  b.add(TB::exchange("init", {{{k, {0, 0}, {6, 10}}, {a, {0, 0}, {6, 10}}}}));
  // Rows 1-4 move down one (overlapping), then columns 0-2 of rows 0-1
  // are written twice: from k's columns 5-7, then from a's columns 7-9.
  b.add(TB::exchange("shift", {{{a, {0, 0}, {4, 10}}, {a, {1, 0}, {4, 10}}},
                               {{k, {0, 5}, {2, 3}}, {a, {0, 0}, {2, 3}}},
                               {{a, {0, 7}, {2, 3}}, {a, {0, 0}, {2, 3}}}}));
  b.add(TB::exchange("out", {{{a, {0, 0}, {6, 10}}, {y, {0, 0}, {6, 10}}}}));
  plan::LoadedPlan lp = load(b.finish());
  std::vector<float> want(60);
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 10; ++c) {
      int from = r >= 1 && r <= 4 ? (r - 1) * 10 + c : r * 10 + c;
      if (r <= 1 && c <= 2)
        from = r * 10 + 7 + c; // a's columns 7-9 before the exchange
      want[r * 10 + c] = static_cast<float>(from);
    }
  EXPECT_EQ(runAndRead(lp, "y", 60, 1), want);
  EXPECT_EQ(runAndRead(lp, "y", 60, 2), want);
}

} // namespace
