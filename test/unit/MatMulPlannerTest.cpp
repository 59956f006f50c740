//===- MatMulPlannerTest.cpp - The matmul block-grid planner --------------===//
//
// The planner's pure C++: split candidates, the memory budget, serial k
// chunks, and its predicted cycles against a count of the work by hand.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/MatMulPlanner.h"

#include <gtest/gtest.h>

#include <set>

using namespace ipuc;
using namespace ipuc::partition;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

TEST(MatMulPlanner, SplitCandidatesAreTheSmallestSplitOfEveryBlockSize) {
  for (int64_t dim : {1, 7, 64, 100, 2048, 4096})
    for (int64_t cap : {1, 3, 16, 1472}) {
      std::vector<int64_t> got = splitCandidates(dim, cap);
      // By brute force: v in 1..min(dim, cap), first v of each block size.
      std::vector<int64_t> want;
      std::set<int64_t> sizes;
      for (int64_t v = 1; v <= std::min(dim, cap); ++v)
        if (sizes.insert(ceilDiv(dim, v)).second)
          want.push_back(v);
      EXPECT_EQ(got, want) << "dim " << dim << " cap " << cap;
    }
}

TEST(MatMulPlanner, UsesNonPowerOfTwoTileCounts) {
  // 96^3 on 6 tiles: a power-of-two-only search could use at most 4.
  sim::DeviceModel dev;
  MatMulProblem p;
  p.m = p.n = p.k = 96;
  MatMulGrid g = planMatMul(dev, p, 6, dev.sramBytesPerTile / 2);
  EXPECT_EQ(g.tiles(), 6) << g.str();
}

TEST(MatMulPlanner, RespectsTileCapAndBudget) {
  sim::DeviceModel dev;
  MatMulProblem p;
  p.m = 300, p.n = 200, p.k = 500;
  for (int64_t tiles : {5, 37, 128}) {
    MatMulGrid g = planMatMul(dev, p, tiles, 64 * 1024);
    EXPECT_LE(g.tiles(), tiles);
    EXPECT_LE(g.bytesPerTile, 64 * 1024) << g.str() << " sk " << g.sk;
    // The blocks cover the problem.
    EXPECT_GE(g.pm * g.bm, p.m);
    EXPECT_GE(g.pn * g.bn, p.n);
    EXPECT_GE(g.pk * g.bk, p.k);
    EXPECT_GE(g.sk * g.ck, g.bk);
  }
}

TEST(MatMulPlanner, SerialChunksWhenBlocksDoNotFit) {
  // One tile, 64 KiB: A (128x512) and B (512x64) do not fit beside C
  // (128x64, 32 KiB); chunks of k must, each of at most
  // (64 KiB - 32 KiB) / ((128 + 64) x 4 B) = 42 rows.
  sim::DeviceModel dev;
  MatMulProblem p;
  p.m = 128, p.n = 64, p.k = 512;
  MatMulGrid g = planMatMul(dev, p, 1, 64 * 1024);
  EXPECT_EQ(g.tiles(), 1);
  EXPECT_EQ(g.sk, ceilDiv(512, 42));
  EXPECT_LE(g.ck, 42);
  EXPECT_LE(g.bytesPerTile, 64 * 1024);
}

TEST(MatMulPlanner, CyclesOfOneTileCountedByHand) {
  // A 1x1x1x1 grid on one tile: exchange of A and B (received 2 x 32x32x4
  // bytes = 8192, sent the same from a one-tile source), sync, one vertex.
  sim::DeviceModel dev;
  MatMulProblem p;
  p.m = p.n = p.k = 32;
  MatMulGrid g;
  costMatMulGrid(dev, p, g);
  double exchange = 32 + 8192 / dev.exchangeBytesPerCycle;
  double compute = 2.0 * 32 * 32 * 32 / dev.fp32MatmulFlopsPerCycle + 50;
  EXPECT_DOUBLE_EQ(g.cycles, exchange + dev.syncCycles + compute);
  EXPECT_EQ(g.bytesPerTile, 3 * 32 * 32 * 4);
}

TEST(MatMulPlanner, Gc200CubesFitAndReachTheUtilisationTarget) {
  // Issue 3 benchmark (a): 2048^3 at >= 60 % of peak; 4096^3 must fit.
  sim::DeviceModel dev = sim::DeviceModel::gc200();
  for (int64_t n : {2048, 4096}) {
    MatMulProblem p;
    p.m = p.n = p.k = n;
    int64_t budget = dev.sramBytesPerTile / 2;
    MatMulGrid g = planMatMul(dev, p, dev.totalTiles(), budget);
    EXPECT_LE(g.bytesPerTile, budget) << n;
    double ideal =
        2.0 * n * n * n / (dev.totalTiles() * dev.fp32MatmulFlopsPerCycle);
    EXPECT_GE(ideal / g.cycles, 0.6) << n << ": " << g.str() << " sk " << g.sk;
  }
}

TEST(MatMulPlanner, HomedWeightExchangesLess) {
  // The same grid with B homed on its consumers receives 1/pm less of B.
  sim::DeviceModel dev;
  MatMulProblem p;
  p.m = 256, p.n = 256, p.k = 256;
  MatMulGrid linear, homed;
  linear.pm = homed.pm = 4;
  linear.pn = homed.pn = 4;
  costMatMulGrid(dev, p, linear);
  p.rhsHomed = true;
  costMatMulGrid(dev, p, homed);
  EXPECT_LT(homed.cycles, linear.cycles);
}

} // namespace

namespace {

TEST(MatMulPlanner, ConvolutionViewKeepsChannelsOnOneTile) {
  // A 1x32x32x128 -> 64-channel 3x3 convolution as an implicit GEMM on 64
  // tiles of 64 KiB: no k split over tiles (maxKSplit 1), the budget holds
  // (input rows with their halo and the filter chunk), and the modelled
  // work is that of the whole convolution.
  sim::DeviceModel dev;
  MatMulProblem p;
  p.m = 30, p.n = 64, p.k = 128;
  p.mInner = 30, p.kWindow = 9, p.aRowHalo = 2, p.aRowElems = 32;
  p.rhsBatched = false, p.maxKSplit = 1;
  MatMulGrid g = planMatMul(dev, p, 64, 32 * 1024);
  EXPECT_EQ(g.pk, 1);
  EXPECT_LE(g.bytesPerTile, 32 * 1024) << g.str() << " sk " << g.sk;
  double tileWork = 2.0 * g.bm * 30 * g.bn * 128 * 9 / 32;
  EXPECT_GE(g.cycles, tileWork);
}

} // namespace
