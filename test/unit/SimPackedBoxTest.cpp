//===- SimPackedBoxTest.cpp - Compute operands as strided gathers --------===//
//
// A compute operand whose box lies in one block of its tensor's layout is
// decoded as one strided copy between tile memory and the vertex's packed
// buffer (describePackedBox) instead of a memory run per row. The packed
// bytes must be those the run-by-run path (boxSegments) gathers, for random
// boxes of random block layouts; and a vertex reading and writing such
// column blocks must compute what plain index arithmetic says.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "StridedCopy.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

#include <random>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

constexpr uint32_t kTiles = 3;
constexpr uint64_t kTileBytes = 1 << 14;

/// A [rows, cols] (or [rows/2, 2, cols]) tensor of `elem`-byte elements,
/// split into row intervals: each row cut at random columns, each piece on
/// a random tile at increasing addresses, so that runs of rows of one
/// column range form blocks.
sim::TensorLayout randomLayout(std::mt19937 &rng, std::vector<int64_t> shape,
                               size_t elem) {
  sim::TensorLayout l;
  l.mapped = true;
  l.elemSize = elem;
  l.shape = shape;
  int64_t cols = shape.back(), rows = 1;
  for (size_t d = 0; d + 1 < shape.size(); ++d)
    rows *= shape[d];
  std::vector<int64_t> cuts = {0, 1 + static_cast<int64_t>(rng() % cols), cols};
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<uint32_t> tileOf(cuts.size() - 1);
  for (auto &t : tileOf)
    t = rng() % kTiles;
  std::vector<uint64_t> next(kTiles, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (size_t c = 0; c + 1 < cuts.size(); ++c) {
      uint32_t tile = tileOf[c];
      int64_t len = cuts[c + 1] - cuts[c];
      l.intervals.push_back(
          {r * cols + cuts[c], r * cols + cuts[c + 1], tile, next[tile]});
      // Sometimes a gap, which still steps regularly and keeps the block.
      next[tile] += len * elem + (c % 2) * 8;
    }
  std::sort(l.intervals.own().begin(), l.intervals.own().end(),
            [](const sim::Interval &a, const sim::Interval &b) {
              return a.begin < b.begin;
            });
  std::vector<int32_t> openBlock(kTiles, -1);
  l.buildBlocks(openBlock);
  return l;
}

TEST(SimPackedBox, GathersWhatTheRunsGather) {
  std::mt19937 rng(11);
  std::vector<std::vector<uint8_t>> mem(kTiles,
                                        std::vector<uint8_t>(kTileBytes));
  for (auto &m : mem)
    for (auto &b : m)
      b = static_cast<uint8_t>(rng());
  int described = 0, strided = 0, refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    size_t elem = trial % 3 == 0 ? 2 : 4;
    std::vector<int64_t> shape =
        trial % 2 ? std::vector<int64_t>{2 + rng() % 7, 1 + rng() % 9}
                  : std::vector<int64_t>{1 + rng() % 4, 2, 1 + rng() % 9};
    sim::TensorLayout l = randomLayout(rng, shape, elem);
    std::vector<int64_t> off(shape.size()), size(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
      off[d] = rng() % shape[d];
      size[d] = 1 + rng() % (shape[d] - off[d]);
    }
    sim::StridedCopy g;
    sim::BoxPlace place;
    if (!sim::describePackedBox(l, off.data(), size.data(), g, place)) {
      ++refused;
      continue;
    }
    ++described;
    strided += g.rank > 0;
    std::vector<sim::Segment> segs;
    int64_t bad = 0;
    ASSERT_TRUE(l.boxSegments(off.data(), size.data(), segs, bad));
    uint64_t bytes = 0;
    for (const auto &s : segs) {
      EXPECT_EQ(s.tile, place.tile) << "trial " << trial;
      bytes += s.bytes;
    }
    ASSERT_EQ(g.bytes(), bytes) << "trial " << trial;
    std::vector<uint8_t> want(bytes), got(bytes, 0), back(kTileBytes, 0);
    for (const auto &s : segs)
      std::memcpy(want.data() + s.bufOffset, mem[s.tile].data() + s.address,
                  s.bytes);
    g.src = mem[place.tile].data() + place.address;
    g.dst = got.data();
    g.run();
    EXPECT_EQ(got, want) << "trial " << trial;
    // Scattering back writes exactly the box's bytes.
    g.dst = got.data();
    sim::StridedCopy s = g.reversed();
    s.dst = back.data() + place.address;
    s.run();
    std::vector<uint8_t> wantBack(kTileBytes, 0);
    for (const auto &sg : segs)
      std::memcpy(wantBack.data() + sg.address,
                  mem[sg.tile].data() + sg.address, sg.bytes);
    EXPECT_EQ(back, wantBack) << "trial " << trial;
  }
  // Both kinds of box, and boxes across blocks (left to the runs), occur.
  EXPECT_GT(strided, 300);
  EXPECT_GT(described - strided, 300);
  EXPECT_GT(refused, 300);
}

// A vertex adds two 4 x 3 column blocks of 6 x 5 matrices into a 4 x 3
// column block of a third (rows 20 bytes apart on the tile, so none is one
// run): the result, and the columns around it, by index arithmetic.
TEST(SimPackedBox, ColumnBlockOperandsComputeInPlaceOfRuns) {
  TB b;
  uint32_t x = b.addConstant("x", {6, 5}, iota(30, 0));
  uint32_t y = b.addConstant("y", {6, 5}, iota(30, 100));
  uint32_t z = b.addOutput("z", {6, 5});
  b.mapOn(x, 0, 30, 0);
  b.mapOn(y, 0, 30, 128);
  b.mapOn(z, 0, 30, 256);
  b.add(TB::computeSet(
      "add", "here",
      {{0,
        {{x, {1, 2}, {4, 3}}, {y, {2, 1}, {4, 3}}, {z, {1, 1}, {4, 3}}},
        addCodelet(12)}}));
  plan::LoadedPlan lp = load(b.finish());
  sim::SimOptions o;
  std::string err;
  auto dev = sim::SimDevice::create(lp, o, err);
  ASSERT_TRUE(dev) << err;
  ASSERT_TRUE(dev->run(err)) << err;
  const float *d = static_cast<const float *>(dev->outputData("z"));
  ASSERT_TRUE(d);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) {
      float want = 0; // the rest of z is never written
      if (i >= 1 && i < 5 && j >= 1 && j < 4) {
        int r = i - 1, c = j - 1;
        want = static_cast<float>((1 + r) * 5 + (2 + c)) +
               static_cast<float>(100 + (2 + r) * 5 + (1 + c));
      }
      EXPECT_EQ(d[i * 5 + j], want) << "z[" << i << "][" << j << "]";
    }
}

} // namespace
