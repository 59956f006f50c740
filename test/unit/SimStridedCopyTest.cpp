//===- SimStridedCopyTest.cpp - Box copies as strided loop nests ----------===//
//
// The simulator decodes an exchange copy whose boxes each lie in one mapping
// interval into a strided descriptor instead of a list of runs. These tests
// pin down the descriptor (dimensions merged, reshapes nested, what is left
// to the run-by-run path) and that exchanges using it keep their semantics
// on odd shapes: values are checked against plain index arithmetic here,
// not against the simulator's own earlier output.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "StridedCopy.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

sim::TensorLayout layout(std::vector<int64_t> shape,
                         std::vector<sim::Interval> intervals) {
  sim::TensorLayout l;
  l.mapped = true;
  l.elemSize = 4;
  l.shape = std::move(shape);
  l.intervals = std::move(intervals);
  std::vector<int32_t> openBlock(8, -1);
  l.buildBlocks(openBlock);
  return l;
}

// A 3 x 5 block of a row-major 5 x 7 matrix into a dense 3 x 5 one: rows
// of 20 contiguous bytes, 28 bytes apart in the source.
TEST(SimStridedCopy, ColumnBlockIsOneStridedDimension) {
  auto src = layout({5, 7}, {{0, 35, 2, 100}});
  auto dst = layout({3, 5}, {{0, 15, 3, 8}});
  int64_t so[] = {1, 2}, ss[] = {3, 5}, dof[] = {0, 0}, ds[] = {3, 5};
  sim::StridedCopy c;
  sim::BoxPlace sp, dp;
  ASSERT_TRUE(sim::describeBoxCopy(src, so, ss, dst, dof, ds, c, sp, dp));
  EXPECT_EQ(sp.tile, 2u);
  EXPECT_EQ(sp.address, 100u + (1 * 7 + 2) * 4);
  EXPECT_EQ(dp.tile, 3u);
  EXPECT_EQ(dp.address, 8u);
  EXPECT_EQ(c.inner, 20u);
  ASSERT_EQ(c.rank, 1u);
  EXPECT_EQ(c.sizes[0], 3u);
  EXPECT_EQ(c.srcStride[0], 28);
  EXPECT_EQ(c.dstStride[0], 20);
  EXPECT_EQ(c.bytes(), 60u);
  EXPECT_EQ(c.srcSpan(), 2u * 28 + 20);
  EXPECT_EQ(c.dstSpan(), 60u);
}

// A 6 x 8 matrix in 3 x 4 blocks on four tiles is one interval per row of
// each block; the rows of tile 3's block, 16 bytes each at addresses 200,
// 216, 232, are one block of the layout, and a box inside it one tile's
// strided region. A box across two tiles' blocks is not.
TEST(SimStridedCopy, BoxInsideBlockOfRowIntervals) {
  std::vector<sim::Interval> ivs;
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 2; ++c)
      ivs.push_back({r * 8 + c * 4, r * 8 + c * 4 + 4,
                     static_cast<uint32_t>((r / 3) * 2 + c),
                     200 + static_cast<uint64_t>(r % 3) * 16});
  auto src = layout({6, 8}, ivs);
  ASSERT_EQ(src.blocks.size(), 4u);
  EXPECT_EQ(src.blocks[3].rows, 3);
  EXPECT_EQ(src.blocks[3].flatStride, 8);
  EXPECT_EQ(src.blocks[3].addrStride, 16u);
  auto dst = layout({2, 3}, {{0, 6, 0, 0}});
  int64_t so[] = {4, 5}, ss[] = {2, 3}, dof[] = {0, 0}, ds[] = {2, 3};
  sim::StridedCopy c;
  sim::BoxPlace sp, dp;
  ASSERT_TRUE(sim::describeBoxCopy(src, so, ss, dst, dof, ds, c, sp, dp));
  EXPECT_EQ(sp.tile, 3u);
  EXPECT_EQ(sp.address, 200u + 16 + 4);
  EXPECT_EQ(c.inner, 12u);
  ASSERT_EQ(c.rank, 1u);
  EXPECT_EQ(c.srcStride[0], 16);
  EXPECT_EQ(c.dstStride[0], 12);
  // Tile 3's whole block is dense in its memory: one piece.
  int64_t bo[] = {3, 4}, bs[] = {3, 4}, d2o[] = {0, 0}, d2s[] = {3, 4};
  auto dst2 = layout({3, 4}, {{0, 12, 0, 0}});
  ASSERT_TRUE(sim::describeBoxCopy(src, bo, bs, dst2, d2o, d2s, c, sp, dp));
  EXPECT_EQ(c.rank, 0u);
  EXPECT_EQ(c.inner, 48u);
  int64_t xo[] = {2, 3}, xs[] = {2, 2};
  auto dst3 = layout({2, 2}, {{0, 4, 0, 0}});
  EXPECT_FALSE(sim::describeBoxCopy(src, xo, xs, dst3, dof, xs, c, sp, dp));
}

// Dense on both sides, whatever the shapes: one contiguous piece.
TEST(SimStridedCopy, DenseBoxesMergeToOnePiece) {
  auto src = layout({4, 6}, {{0, 24, 0, 0}});
  auto dst = layout({2, 3, 4}, {{0, 24, 1, 0}});
  int64_t so[] = {0, 0}, ss[] = {4, 6}, dof[] = {0, 0, 0}, ds[] = {2, 3, 4};
  sim::StridedCopy c;
  sim::BoxPlace sp, dp;
  ASSERT_TRUE(sim::describeBoxCopy(src, so, ss, dst, dof, ds, c, sp, dp));
  EXPECT_EQ(c.rank, 0u);
  EXPECT_EQ(c.inner, 96u);
}

// A [2, 3, 4] box of a [3, 5, 7] tensor into a [6, 4] tensor: the 6 splits
// into 2 x 3, so the copy nests into rows of 4 elements.
TEST(SimStridedCopy, ReshapeThatNestsSplitsDimensions) {
  auto src = layout({3, 5, 7}, {{0, 105, 0, 0}});
  auto dst = layout({6, 4}, {{0, 24, 1, 0}});
  int64_t so[] = {1, 1, 2}, ss[] = {2, 3, 4}, dof[] = {0, 0}, ds[] = {6, 4};
  sim::StridedCopy c;
  sim::BoxPlace sp, dp;
  ASSERT_TRUE(sim::describeBoxCopy(src, so, ss, dst, dof, ds, c, sp, dp));
  EXPECT_EQ(sp.address, (1u * 35 + 1 * 7 + 2) * 4);
  EXPECT_EQ(c.inner, 16u);
  ASSERT_EQ(c.rank, 2u);
  EXPECT_EQ(c.sizes[0], 2u);
  EXPECT_EQ(c.sizes[1], 3u);
  EXPECT_EQ(c.srcStride[0], 35 * 4);
  EXPECT_EQ(c.srcStride[1], 7 * 4);
  EXPECT_EQ(c.dstStride[0], 12 * 4);
  EXPECT_EQ(c.dstStride[1], 4 * 4);
  // Staging packs the box densely in row-major order.
  sim::StridedCopy g = sim::packedDestination(c, nullptr);
  EXPECT_EQ(g.dstStride[0], 48);
  EXPECT_EQ(g.dstStride[1], 16);
  EXPECT_EQ(g.srcStride[0], 35 * 4);
}

// What the descriptor cannot say is left to the run-by-run decoder: a box
// across two intervals, shapes that do not nest (rows of 5 into rows of 3,
// both strided), and element sizes that differ.
TEST(SimStridedCopy, RejectsWhatItCannotDescribe) {
  sim::StridedCopy c;
  sim::BoxPlace sp, dp;
  auto split = layout({4, 4}, {{0, 8, 0, 0}, {8, 16, 1, 0}});
  auto dense = layout({4, 4}, {{0, 16, 2, 0}});
  int64_t o[] = {0, 0}, s[] = {4, 4};
  EXPECT_FALSE(sim::describeBoxCopy(split, o, s, dense, o, s, c, sp, dp));
  EXPECT_FALSE(sim::describeBoxCopy(dense, o, s, split, o, s, c, sp, dp));
  auto wide = layout({3, 7}, {{0, 21, 0, 0}});
  auto tall = layout({5, 4}, {{0, 20, 1, 0}});
  int64_t wo[] = {0, 1}, ws[] = {3, 5}, to[] = {0, 0}, ts[] = {5, 3};
  EXPECT_FALSE(sim::describeBoxCopy(wide, wo, ws, tall, to, ts, c, sp, dp));
  // Into a dense 5 x 3 tensor the same block is 15 elements in row-major
  // order, which does nest: rows of 5, 20 bytes apart in the destination.
  auto dense53 = layout({5, 3}, {{0, 15, 1, 0}});
  ASSERT_TRUE(sim::describeBoxCopy(wide, wo, ws, dense53, to, ts, c, sp, dp));
  EXPECT_EQ(c.inner, 20u);
  ASSERT_EQ(c.rank, 1u);
  EXPECT_EQ(c.srcStride[0], 28);
  EXPECT_EQ(c.dstStride[0], 20);
  auto halves = layout({4, 4}, {{0, 16, 3, 0}});
  halves.elemSize = 2;
  EXPECT_FALSE(sim::describeBoxCopy(dense, o, s, halves, o, s, c, sp, dp));
  // A box starting in a gap between intervals.
  auto gap = layout({16}, {{4, 16, 0, 0}});
  int64_t go[] = {2}, gs[] = {4};
  int64_t lo[] = {0}, ls[] = {4};
  auto line = layout({4}, {{0, 4, 1, 0}});
  EXPECT_FALSE(sim::describeBoxCopy(gap, go, gs, line, lo, ls, c, sp, dp));
}

// Odd shapes through one exchange: a 3 x 5 block of a 5 x 7 matrix, a
// [2, 3, 4] block of a [3, 5, 7] tensor into a [6, 4] slot, a 3 x 5 block
// into the 5 x 3 block of a 5 x 4 matrix (does not nest: run by run), and a
// block of a matrix
// split over two tiles mid-row (run by run).
TEST(SimStridedCopy, OddShapesMatchIndexArithmetic) {
  TB b;
  uint32_t m = b.addConstant("m", {5, 7}, iota(35));
  uint32_t t = b.addConstant("t", {3, 5, 7}, iota(105, 1000));
  uint32_t s = b.addConstant("s", {4, 6}, iota(24, 5000));
  uint32_t y = b.addOutput("y", {15 + 6});
  uint32_t y2 = b.addOutput("y2", {6, 4});
  uint32_t y3 = b.addOutput("y3", {5, 4});
  b.mapOn(m, 0, 35, 0);
  b.mapOn(t, 1, 105, 0);
  b.map(s, {TileInterval(2, 0, 9, 0), TileInterval(3, 9, 24, 64)});
  b.mapOn(y, 3, 21, 1024);
  b.mapOn(y2, 2, 24, 1024);
  b.mapOn(y3, 0, 20, 1024);
  b.add(
      TB::exchange("gather", {{{m, {1, 2}, {3, 5}}, {y, {0}, {15}}},
                              {{t, {1, 1, 2}, {2, 3, 4}}, {y2, {0, 0}, {6, 4}}},
                              {{m, {0, 1}, {3, 5}}, {y3, {0, 0}, {5, 3}}},
                              {{s, {1, 1}, {2, 3}}, {y, {15}, {6}}}}));
  plan::LoadedPlan lp = load(b.finish());
  std::vector<float> want, want2, want3(20, 0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) {
      want.push_back((1 + i) * 7 + (2 + j));
      // Element e of the box, in row-major order, is y3[e / 3][e % 3].
      int e = i * 5 + j;
      want3[e / 3 * 4 + e % 3] = i * 7 + (1 + j);
    }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      want.push_back(5000 + (1 + i) * 6 + (1 + j));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        want2.push_back(1000 + (1 + i) * 35 + (1 + j) * 7 + (2 + k));
  EXPECT_EQ(runAndRead(lp, "y", 21), want);
  EXPECT_EQ(runAndRead(lp, "y2", 24), want2);
  EXPECT_EQ(runAndRead(lp, "y3", 20), want3);
}

// A 6 x 8 matrix in 3 x 4 blocks over four tiles (one interval per block
// row), gathered block by block into a 6 x 8 matrix on tile 4 with the
// block columns swapped: every copy is inside one block of rows.
TEST(SimStridedCopy, BlockDistributedMatrixGathered) {
  TB b;
  uint32_t m = b.addConstant("m", {6, 8}, iota(48));
  uint32_t y = b.addOutput("y", {6, 8});
  std::vector<TileInterval> ivs;
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 2; ++c)
      ivs.push_back(TileInterval((r / 3) * 2 + c, r * 8 + c * 4,
                                 r * 8 + c * 4 + 4, 64 + (r % 3) * 16));
  b.map(m, ivs);
  b.mapOn(y, 4, 48, 0);
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t br = 0; br < 2; ++br)
    for (int64_t bc = 0; bc < 2; ++bc)
      copies.push_back(
          {{m, {br * 3, bc * 4}, {3, 4}}, {y, {br * 3, (1 - bc) * 4}, {3, 4}}});
  b.add(TB::exchange("gather", copies));
  DeviceSpec dev;
  dev.tiles = 5;
  plan::LoadedPlan lp = load(b.finish(dev));
  std::vector<float> want;
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 8; ++c)
      want.push_back(r * 8 + (c + 4) % 8);
  EXPECT_EQ(runAndRead(lp, "y", 48), want);
}

// Strided copies inside one 4 x 3 matrix on one tile: columns 0-1 shifted
// right by one (source and destination overlap), and in a second exchange
// columns 0 and 2 swapped. Every copy reads the state before its exchange.
TEST(SimStridedCopy, OverlappingBoxesReadSnapshot) {
  TB b;
  uint32_t k = b.addConstant("k", {4, 3}, iota(12));
  uint32_t a = b.addF32("a", {4, 3});
  uint32_t c = b.addF32("c", {4, 3});
  uint32_t y = b.addOutput("y", {2, 4, 3});
  b.mapOn(k, 0, 12, 0);
  b.mapOn(a, 0, 12, 64);
  b.mapOn(c, 0, 12, 128);
  b.mapOn(y, 1, 24, 0);
  b.add(TB::exchange("init", {{{k, {0, 0}, {4, 3}}, {a, {0, 0}, {4, 3}}},
                              {{k, {0, 0}, {4, 3}}, {c, {0, 0}, {4, 3}}}}));
  b.add(TB::exchange("shift", {{{a, {0, 0}, {4, 2}}, {a, {0, 1}, {4, 2}}}}));
  b.add(TB::exchange("swap", {{{c, {0, 0}, {4, 1}}, {c, {0, 2}, {4, 1}}},
                              {{c, {0, 2}, {4, 1}}, {c, {0, 0}, {4, 1}}}}));
  b.add(
      TB::exchange("out", {{{a, {0, 0}, {4, 3}}, {y, {0, 0, 0}, {1, 4, 3}}},
                           {{c, {0, 0}, {4, 3}}, {y, {1, 0, 0}, {1, 4, 3}}}}));
  plan::LoadedPlan lp = load(b.finish());
  std::vector<float> want;
  for (int i = 0; i < 4; ++i) // shift: a[i] = {k0, k0, k1}
    for (int j : {0, 0, 1})
      want.push_back(i * 3 + j);
  for (int i = 0; i < 4; ++i) // swap: c[i] = {k2, k1, k0}
    for (int j : {2, 1, 0})
      want.push_back(i * 3 + j);
  EXPECT_EQ(runAndRead(lp, "y", 24), want);
}

// Two strided copies into the same column block: the later one wins. Two
// more fill interleaved column blocks of one matrix (bounding ranges
// overlap, bytes do not) from other tiles.
TEST(SimStridedCopy, LaterCopiesWinAndInterleavedBlocksFill) {
  TB b;
  uint32_t p = b.addConstant("p", {3, 2}, iota(6, 10));
  uint32_t q = b.addConstant("q", {3, 2}, iota(6, 20));
  uint32_t y = b.addOutput("y", {3, 4});
  uint32_t z = b.addOutput("z", {3, 4});
  b.mapOn(p, 0, 6, 0);
  b.mapOn(q, 1, 6, 0);
  b.mapOn(y, 2, 12, 0);
  b.mapOn(z, 3, 12, 0);
  b.add(TB::exchange("twice", {{{p, {0, 0}, {3, 2}}, {y, {0, 1}, {3, 2}}},
                               {{q, {0, 0}, {3, 2}}, {y, {0, 1}, {3, 2}}}}));
  b.add(TB::exchange("fill", {{{p, {0, 0}, {3, 2}}, {z, {0, 0}, {3, 2}}},
                              {{q, {0, 0}, {3, 2}}, {z, {0, 2}, {3, 2}}}}));
  // Strided, contiguous, strided again over one matrix: the order holds
  // across the two kinds of copy.
  uint32_t r = b.addConstant("r", {4}, {90, 91, 92, 93});
  uint32_t w = b.addOutput("w", {3, 4});
  b.mapOn(r, 1, 4, 64);
  b.mapOn(w, 2, 12, 128);
  b.add(TB::exchange("mixed", {{{p, {0, 0}, {3, 2}}, {w, {0, 1}, {3, 2}}},
                               {{r, {0}, {4}}, {w, {1, 0}, {1, 4}}},
                               {{q, {0, 0}, {2, 1}}, {w, {0, 0}, {2, 1}}}}));
  plan::LoadedPlan lp = load(b.finish());
  EXPECT_EQ(runAndRead(lp, "w", 12),
            (std::vector<float>{20, 10, 11, 0, 22, 91, 92, 93, 0, 14, 15, 0}));
  std::vector<float> wantY, wantZ;
  for (int i = 0; i < 3; ++i) {
    wantY.insert(wantY.end(), {0, 20.f + 2 * i, 21.f + 2 * i, 0});
    wantZ.insert(wantZ.end(),
                 {10.f + 2 * i, 11.f + 2 * i, 20.f + 2 * i, 21.f + 2 * i});
  }
  EXPECT_EQ(runAndRead(lp, "y", 12), wantY);
  EXPECT_EQ(runAndRead(lp, "z", 12), wantZ);
}

// Large strided exchanges are split over the thread pool by copy: 128
// column blocks of a 512 x 512 matrix (1 MiB), moved to another tile.
TEST(SimStridedCopy, ManyStridedCopiesOnThreadPool) {
  constexpr int64_t kN = 512, kW = 4;
  TB b;
  uint32_t m = b.addConstant("m", {kN, kN}, iota(kN * kN));
  uint32_t y = b.addOutput("y", {kN / kW, kN, kW});
  b.mapOn(m, 0, kN * kN, 0);
  b.mapOn(y, 1, kN * kN, 0);
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t c = 0; c < kN / kW; ++c)
    copies.push_back({{m, {0, c * kW}, {kN, kW}}, {y, {c, 0, 0}, {1, kN, kW}}});
  b.add(TB::exchange("blocks", copies));
  DeviceSpec dev;
  dev.sram = 2 << 20;
  plan::LoadedPlan lp = load(b.finish(dev));
  std::vector<float> want;
  for (int64_t c = 0; c < kN / kW; ++c)
    for (int64_t i = 0; i < kN; ++i)
      for (int64_t j = 0; j < kW; ++j)
        want.push_back(static_cast<float>(i * kN + c * kW + j));
  EXPECT_EQ(runAndRead(lp, "y", kN * kN, 1), want);
  EXPECT_EQ(runAndRead(lp, "y", kN * kN, 4), want);
}

// Every byte a strided copy may touch is inside a mapping interval, and the
// loader rejects an interval past the tile's memory, so a box reaching
// beyond the SRAM never gets to the simulator.
TEST(SimStridedCopy, BoxPastTileMemoryRejectedAtLoad) {
  TB b;
  uint32_t m = b.addInput("m", {8, 8});
  uint32_t y = b.addOutput("y", {8, 2});
  b.mapOn(m, 0, 64, 4096 - 128); // 256 bytes from 3968: past 4096
  b.mapOn(y, 1, 16, 0);
  b.add(TB::exchange("col", {{{m, {0, 6}, {8, 2}}, {y, {0, 0}, {8, 2}}}}));
  plan::LoadedPlan p;
  std::string err;
  EXPECT_FALSE(plan::loadPlanBuffer(b.finish(), p, err));
  EXPECT_NE(err.find("on tile 0"), std::string::npos) << err;
  EXPECT_NE(err.find("'m'"), std::string::npos) << err;
}

} // namespace

// Transposing copies (ExchangeCopy.perm) of ragged boxes, ranks 2 to 4,
// against a naive reference: dst[do + j] = src[so + k] with k[perm[i]] =
// j[i]. Each source is split over two tiles mid-tensor: the first copy of
// each rank lies in one interval (one strided descriptor), the second
// straddles the split (the per-element fallback).
TEST(SimStridedCopy, PermutedCopiesMatchNaiveTranspose) {
  struct Case {
    std::vector<int64_t> shape, perm;
    std::vector<int64_t> offsets[2], sizes[2];
  };
  std::vector<Case> cases = {
      {{5, 7}, {1, 0}, {{0, 1}, {1, 2}}, {{2, 5}, {3, 4}}},
      {{3, 5, 7}, {2, 0, 1}, {{0, 1, 2}, {1, 2, 0}}, {{1, 3, 4}, {2, 3, 7}}},
      {{2, 3, 4, 5},
       {3, 1, 0, 2},
       {{0, 0, 1, 1}, {0, 1, 0, 2}},
       {{1, 2, 3, 3}, {2, 2, 4, 3}}},
  };
  TB b;
  struct Want {
    std::string name;
    std::vector<float> values;
  };
  std::vector<Want> wants;
  std::vector<TB::PermCopy> copies;
  uint32_t tile = 0;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case &c = cases[ci];
    size_t rank = c.shape.size();
    int64_t n = 1;
    for (int64_t d : c.shape)
      n *= d;
    std::vector<float> data = iota(n, 100.0f * ci);
    uint32_t src = b.addConstant("s" + std::to_string(ci), c.shape, data);
    // Split mid-tensor over two tiles.
    b.map(src, {TileInterval(tile, 0, n / 2, 0),
                TileInterval(tile + 1, n / 2, n, 512)});
    for (int k = 0; k < 2; ++k) {
      std::vector<int64_t> dsz(rank);
      for (size_t i = 0; i < rank; ++i)
        dsz[i] = c.sizes[k][c.perm[i]];
      // The destination is the box with one extra row of padding in dim 0,
      // written at offset 1 there.
      std::vector<int64_t> dshape = dsz;
      dshape[0] += 1;
      int64_t dn = 1;
      for (int64_t d : dshape)
        dn *= d;
      std::string name = "y" + std::to_string(ci) + "_" + std::to_string(k);
      uint32_t dst = b.addOutput(name, dshape);
      b.mapOn(dst, tile + 2, dn, 1024 * k);
      std::vector<int64_t> doff(rank, 0);
      doff[0] = 1;
      copies.push_back(
          {{src, c.offsets[k], c.sizes[k]}, {dst, doff, dsz}, c.perm});
      // Naive reference; the padding row stays zero.
      std::vector<float> want(dn, 0.0f);
      std::vector<int64_t> j(rank, 0);
      int64_t total = dn / dshape[0] * dsz[0];
      for (int64_t e = 0; e < total; ++e) {
        int64_t from = 0, to = 0;
        for (size_t d = 0; d < rank; ++d) {
          to = to * dshape[d] + doff[d] + j[d];
        }
        std::vector<int64_t> k2(rank);
        for (size_t i = 0; i < rank; ++i)
          k2[c.perm[i]] = j[i];
        for (size_t d = 0; d < rank; ++d)
          from = from * c.shape[d] + c.offsets[k][d] + k2[d];
        want[to] = data[from];
        for (size_t d = rank; d-- > 0;) {
          if (++j[d] < dsz[d])
            break;
          j[d] = 0;
        }
      }
      wants.push_back({name, want});
    }
    tile += 3;
  }
  b.add(TB::permutedExchange("transpose", copies));
  DeviceSpec dev;
  dev.tiles = tile;
  plan::LoadedPlan lp = load(b.finish(dev));
  for (const Want &w : wants) {
    EXPECT_EQ(runAndRead(lp, w.name, w.values.size()), w.values) << w.name;
    EXPECT_EQ(runAndRead(lp, w.name, w.values.size(), 1), w.values) << w.name;
  }
}
