//===- SimExchangeFusionTest.cpp - Exchanges run with their compute set ---===//
//
// An exchange followed by a compute set runs with it, tile by tile
// (runtime/sim/ExchangeFusion.cpp): each tile's incoming copies, then its
// vertices. That must compute, cost and count what running them one after
// the other does, and what a plain loop computes; also when a vertex writes
// memory that the exchange reads from another tile (its task must wait for
// every copy), and never across the end of a loop body or without checked
// operands.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

constexpr int64_t kRows = 4, kCols = 8;
constexpr int64_t kNumel = kRows * kCols;

/// Row r of a [4 x 8] tensor on tile r at byte `slot`.
std::vector<TileInterval> rows(uint64_t slot) {
  std::vector<TileInterval> ivs;
  for (uint32_t r = 0; r < kRows; ++r)
    ivs.push_back(TileInterval(r, r * kCols, (r + 1) * kCols, slot));
  return ivs;
}

BoxSpec row(uint32_t tensor, int64_t r) {
  return BoxSpec{tensor, {r, 0}, {1, kCols}};
}

std::vector<float> weights() {
  std::vector<float> w(kNumel);
  for (int64_t i = 0; i < kNumel; ++i)
    w[i] = 0.5f * static_cast<float>(i % 5) - 1;
  return w;
}

/// rot(x) + w: row r of x is added to row r + 1 of w (the last to the top).
std::vector<float> reference(const std::vector<float> &x) {
  std::vector<float> w = weights(), y(kNumel);
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < kCols; ++c) {
      int64_t to = ((r + 1) % kRows) * kCols + c;
      y[to] = x[r * kCols + c] + w[to];
    }
  return y;
}

struct Options {
  bool fuse = true, checked = true;
  unsigned threads = 2;
};

struct FusedRun {
  std::vector<float> y;
  std::vector<sim::StepProfile> steps;
  sim::SimDecodeStats stats;
};

FusedRun runSim(const plan::LoadedPlan &p, const Options &opt,
                const std::vector<float> &x) {
  sim::SimOptions o;
  o.threads = opt.threads;
  o.checked = opt.checked;
  o.fuseExchanges = opt.fuse;
  std::string err;
  FusedRun r;
  auto dev = sim::SimDevice::create(p, o, err);
  EXPECT_TRUE(dev) << err;
  if (!dev)
    return r;
  EXPECT_TRUE(dev->setInput("x", DType::F32,
                            {kRows, static_cast<int64_t>(x.size()) / kRows},
                            x.data(), x.size() * 4, err))
      << err;
  // Twice: the second run starts from what the first left in tile memory.
  for (int k = 0; k < 2; ++k)
    EXPECT_TRUE(dev->run(err)) << err;
  const sim::BindingInfo *y = dev->findOutput("y");
  r.y = output(*dev, "y", y ? y->byteSize() / 4 : 0);
  r.steps = dev->steps();
  r.stats = dev->decodeStats();
  return r;
}

/// gather: a = rot(x)        add: y = a + w   (each row on its own tile)
/// With `reuse`, row 0 of y lies where row 0 of x does (the memory planner
/// may give y the bytes of x, which dies at the gather): tile 0's vertex
/// writes what the gather reads for tile 1. `loop` puts the gather last in
/// a loop body and the add after the loop.
std::vector<uint8_t> gatherAddPlan(bool reuse, bool loop = false) {
  TB b;
  uint32_t x = b.addInput("x", {kRows, kCols});
  uint32_t w = b.addConstant("w", {kRows, kCols}, weights());
  uint32_t a = b.addF32("a", {kRows, kCols});
  uint32_t y = b.addOutput("y", {kRows, kCols});
  b.map(x, rows(0));
  b.map(w, rows(64));
  b.map(a, rows(128));
  std::vector<TileInterval> yRows = rows(192);
  if (reuse)
    yRows[0] = TileInterval(0, 0, kCols, 0);
  b.map(y, yRows);
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t r = 0; r < kRows; ++r)
    copies.push_back({row(x, r), row(a, (r + 1) % kRows)});
  std::vector<VertexSpec> vs;
  for (uint32_t r = 0; r < kRows; ++r)
    vs.push_back({r, {row(a, r), row(w, r), row(y, r)}, addCodelet(kCols)});
  if (loop) {
    uint32_t t = b.addF32("t", {kRows, kCols});
    b.map(t, rows(256));
    b.add(TB::repeat(2, {TB::computeSet("touch", "touch.loc",
                                        {{0, {row(t, 0)}, fillCodelet(0, 1)}}),
                         TB::exchange("gather", copies)}));
  } else {
    b.add(TB::exchange("gather", copies));
  }
  b.add(TB::computeSet("add", "add.loc", vs));
  return b.finish({kRows, 4096});
}

TEST(SimExchangeFusion, TilesCopyThenComputeAsTheStepsInTurnWould) {
  plan::LoadedPlan p = load(gatherAddPlan(false));
  std::vector<float> x = iota(kNumel, -9);
  for (unsigned threads : {1u, 2u}) {
    FusedRun on = runSim(p, {true, true, threads}, x),
             off = runSim(p, {false, true, threads}, x);
    EXPECT_EQ(on.stats.fusedExchangeOps, 1u);
    EXPECT_EQ(on.stats.fusions, 1u);
    EXPECT_EQ(off.stats.fusedExchangeOps, 0u);
    EXPECT_EQ(on.y, reference(x));
    EXPECT_EQ(on.y, off.y);
    expectSameProfiles(on.steps, off.steps);
  }
}

TEST(SimExchangeFusion, AVertexThatWritesTheExchangesSourcesWaitsForIt) {
  plan::LoadedPlan p = load(gatherAddPlan(true));
  std::vector<float> x = iota(kNumel, 3);
  // One thread runs the tasks in tile order: were tile 0's vertex run
  // right after its copies, tile 1 would then copy its sum, not x's row 0.
  for (unsigned threads : {1u, 2u}) {
    FusedRun on = runSim(p, {true, true, threads}, x),
             off = runSim(p, {false, true, threads}, x);
    // Tiles 1 to 3 still run fused.
    EXPECT_EQ(on.stats.fusedExchangeOps, 1u);
    EXPECT_EQ(on.y, reference(x));
    EXPECT_EQ(on.y, off.y);
    expectSameProfiles(on.steps, off.steps);
  }
}

/// x, a: [4 x 20], w: [4 x 80], y: [8 x 16], row r of x, a, w and rows 2r
/// and 2r + 1 of y on tile r.
/// gather: a = rot(x)    matmul on tile r: y[2r:2r+2, 0:8] = a[r] w[r]
/// (a[r] as 2 x 10, w[r] as 10 x 8). The result box is two rows 16
/// elements apart, which the kernel writes in place; on tile 0 they lie
/// where row 0 of x does, which the gather reads for tile 1.
constexpr int64_t kK = 10, kN = 8, kXCols = 2 * kK, kWCols = kK * kN;
constexpr int64_t kYCols = 2 * kN;

float weight(int64_t i) { return 0.25f * static_cast<float>(i % 7) - 0.5f; }

std::vector<uint8_t> gatherMatMulPlan() {
  TB b;
  uint32_t x = b.addInput("x", {kRows, kXCols});
  std::vector<float> wData(kRows * kWCols);
  for (size_t i = 0; i < wData.size(); ++i)
    wData[i] = weight(static_cast<int64_t>(i));
  uint32_t w = b.addConstant("w", {kRows, kWCols}, wData);
  uint32_t a = b.addF32("a", {kRows, kXCols});
  uint32_t y = b.addOutput("y", {2 * kRows, kYCols});
  std::vector<TileInterval> xRows, aRows, wRows, yRows;
  for (uint32_t r = 0; r < kRows; ++r) {
    xRows.push_back(TileInterval(r, r * kXCols, (r + 1) * kXCols, 0));
    aRows.push_back(TileInterval(r, r * kXCols, (r + 1) * kXCols, 128));
    wRows.push_back(TileInterval(r, r * kWCols, (r + 1) * kWCols, 256));
    yRows.push_back(TileInterval(r, 2 * r * kYCols, (2 * r + 2) * kYCols,
                                 r == 0 ? 0 : 640));
  }
  b.map(x, xRows);
  b.map(a, aRows);
  b.map(w, wRows);
  b.map(y, yRows);
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t r = 0; r < kRows; ++r)
    copies.push_back({BoxSpec{x, {r, 0}, {1, kXCols}},
                      BoxSpec{a, {(r + 1) % kRows, 0}, {1, kXCols}}});
  b.add(TB::exchange("gather", copies));
  std::vector<VertexSpec> vs;
  for (uint32_t r = 0; r < kRows; ++r)
    vs.push_back(
        {r,
         {BoxSpec{a, {r, 0}, {1, kXCols}}, BoxSpec{w, {r, 0}, {1, kWCols}},
          BoxSpec{y, {2 * r, 0}, {2, kN}}},
         matmulCodelet(0, 1, -1, 2, 2, kN, kK)});
  b.add(TB::computeSet("matmul", "matmul.loc", vs));
  return b.finish({kRows, 4096});
}

TEST(SimExchangeFusion, AMatMulResultInPlaceOverTheSourcesWaitsForTheCopies) {
  plan::LoadedPlan p = load(gatherMatMulPlan());
  std::vector<float> x = iota(kRows * kXCols, -30);
  // The reference: plain loops over rot(x) and w.
  std::vector<float> want(2 * kRows * kYCols, 0.0f);
  for (int64_t r = 0; r < kRows; ++r) {
    int64_t from = (r + kRows - 1) % kRows; // a[r] = x[r - 1]
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < kN; ++j) {
        float sum = 0;
        for (int64_t k = 0; k < kK; ++k)
          sum +=
              x[from * kXCols + i * kK + k] * weight(r * kWCols + k * kN + j);
        want[(2 * r + i) * kYCols + j] = sum;
      }
  }
  // y[0, 8:16] is x[0, 8:16]: bytes y shares with x that no vertex writes.
  for (int64_t j = kN; j < kYCols; ++j)
    want[j] = x[j];
  for (unsigned threads : {1u, 2u}) {
    FusedRun on = runSim(p, {true, true, threads}, x),
             off = runSim(p, {false, true, threads}, x);
    EXPECT_EQ(on.stats.fusedExchangeOps, 1u);
    ASSERT_EQ(on.y.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_FLOAT_EQ(on.y[i], want[i]) << i;
    EXPECT_EQ(on.y, off.y);
    expectSameProfiles(on.steps, off.steps);
  }
}

TEST(SimExchangeFusion, NotAcrossTheEndOfALoopBodyNorUnchecked) {
  std::vector<float> x = iota(kNumel, 1);
  plan::LoadedPlan looped = load(gatherAddPlan(false, true));
  FusedRun loop = runSim(looped, {}, x);
  EXPECT_EQ(loop.stats.fusedExchangeOps, 0u);
  EXPECT_EQ(loop.y, reference(x));
  plan::LoadedPlan p = load(gatherAddPlan(false));
  FusedRun unchecked = runSim(p, {true, false, 2}, x);
  EXPECT_EQ(unchecked.stats.fusedExchangeOps, 0u);
  EXPECT_EQ(unchecked.y, reference(x));
}

} // namespace
