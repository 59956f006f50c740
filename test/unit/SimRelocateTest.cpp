//===- SimRelocateTest.cpp - Congruent compute sets' bodies, moved --------===//
//
// A compute set equal to an earlier one but for tensors whose mappings differ
// only in addresses (the weights of identical layers) gets the earlier one's
// body with its operand pointers moved (runtime/sim/RelocateComputeSet.cpp).
// Below: two K-split matmuls over weights at other addresses (one moved
// body, whose results must equal a plain-loop reference and the same plan
// decoded without relocation, with the same profile); weights whose
// intervals move by two distances on one tile, and an output that moves
// onto an input, both of which must be decoded instead.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

std::vector<float> values(int n, int mod, float scale, float shift) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i)
    v.push_back(scale * static_cast<float>(i % mod) + shift);
  return v;
}

/// P_l[t] = A[:, 2t:2t+2] x B_l[2t:2t+2, :] on tile t, for l = 1, 2. A's
/// column block t is 4 rows of 2 elements on tile t (a strided matrix the
/// kernel reads in place). B_l's rows 2t..2t+1 are on tile t: one interval
/// at `address(l)`, or with `split` two, the second `gap(l)` bytes after
/// the first's end.
std::vector<uint8_t> twoMatMuls(bool split, uint64_t gap2) {
  TB b;
  uint32_t A = b.addInput("A", {4, 8});
  uint32_t B1 = b.addConstant("B1", {8, 4}, values(32, 5, 0.5f, -1));
  uint32_t B2 = b.addConstant("B2", {8, 4}, values(32, 3, -0.75f, 0.5f));
  uint32_t P1 = b.addOutput("P1", {4, 4, 4});
  uint32_t P2 = b.addOutput("P2", {4, 4, 4});
  std::vector<TileInterval> aiv, b1, b2, p1, p2;
  for (int row = 0; row < 4; ++row)
    for (uint32_t t = 0; t < 4; ++t)
      aiv.emplace_back(t, row * 8 + 2 * t, row * 8 + 2 * t + 2, row * 8);
  for (uint32_t t = 0; t < 4; ++t) {
    if (split) {
      b1.emplace_back(t, 8 * t, 8 * t + 4, 32);
      b1.emplace_back(t, 8 * t + 4, 8 * t + 8, 48);
      b2.emplace_back(t, 8 * t, 8 * t + 4, 512);
      b2.emplace_back(t, 8 * t + 4, 8 * t + 8, 528 + gap2);
    } else {
      b1.emplace_back(t, 8 * t, 8 * t + 8, 32);
      b2.emplace_back(t, 8 * t, 8 * t + 8, 512 + 64 * t);
    }
    p1.emplace_back(t, 16 * t, 16 * t + 16, 128);
    p2.emplace_back(t, 16 * t, 16 * t + 16, 1024);
  }
  b.map(A, aiv);
  b.map(B1, b1);
  b.map(B2, b2);
  b.map(P1, p1);
  b.map(P2, p2);
  b.add(TB::hostWrite("A", A));
  for (auto [name, B, P] : {std::tuple{"mm1", B1, P1}, {"mm2", B2, P2}}) {
    std::vector<VertexSpec> mm;
    for (int64_t t = 0; t < 4; ++t)
      mm.push_back({uint32_t(t),
                    {{A, {0, 2 * t}, {4, 2}},
                     {B, {2 * t, 0}, {2, 4}},
                     {P, {t, 0, 0}, {1, 4, 4}}},
                    matmulCodelet(0, 1, -1, 2, 4, 4, 2)});
    b.add(TB::computeSet(name, std::string(name) + ".loc", mm));
  }
  return b.finish();
}

struct SimRun {
  std::vector<float> p1, p2;
  std::vector<sim::StepProfile> steps;
  sim::SimDecodeStats stats;
};

SimRun run(const plan::LoadedPlan &p, bool relocate) {
  sim::SimOptions o;
  o.threads = 2;
  o.relocateSteps = relocate;
  std::string err;
  SimRun r;
  auto dev = sim::SimDevice::create(p, o, err);
  EXPECT_TRUE(dev) << err;
  if (!dev)
    return r;
  std::vector<float> a = values(32, 7, 0.25f, -0.5f);
  EXPECT_TRUE(dev->setInput("A", DType::F32, {4, 8}, a.data(), 128, err))
      << err;
  EXPECT_TRUE(dev->run(err)) << err;
  r.p1 = output(*dev, "P1", 64);
  r.p2 = output(*dev, "P2", 64);
  r.steps = dev->steps();
  r.stats = dev->decodeStats();
  return r;
}

/// The partials of A x B, by plain loops.
std::vector<float> partials(const std::vector<float> &bm) {
  std::vector<float> a = values(32, 7, 0.25f, -0.5f), p(64, 0);
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        for (int k = 2 * t; k < 2 * t + 2; ++k)
          p[16 * t + 4 * i + j] += a[8 * i + k] * bm[4 * k + j];
  return p;
}

void expectNear(const std::vector<float> &got, const std::vector<float> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-6) << "element " << i;
}

TEST(SimRelocate, ACongruentMatMulRunsTheEarlierBodyMoved) {
  // B2's tiles each move by their own distance (512 - 32 + 64 t).
  plan::LoadedPlan p = load(twoMatMuls(/*split=*/false, 0));
  SimRun on = run(p, true), off = run(p, false);
  EXPECT_EQ(on.stats.computeSetsRelocated, 1u);
  EXPECT_EQ(on.stats.verticesRelocated, 4u);
  EXPECT_EQ(on.stats.computeSetsDecoded, 1u);
  EXPECT_EQ(off.stats.computeSetsRelocated, 0u);
  EXPECT_EQ(off.stats.computeSetsDecoded, 2u);
  expectNear(on.p1, partials(values(32, 5, 0.5f, -1)));
  expectNear(on.p2, partials(values(32, 3, -0.75f, 0.5f)));
  EXPECT_EQ(on.p1, off.p1);
  EXPECT_EQ(on.p2, off.p2);
  expectSameProfiles(on.steps, off.steps);
}

TEST(SimRelocate, WeightsMovingByTwoDistancesOnATileAreDecoded) {
  // B2's second interval on each tile moves 16 bytes further than its first.
  plan::LoadedPlan p = load(twoMatMuls(/*split=*/true, 16));
  SimRun on = run(p, true), off = run(p, false);
  EXPECT_EQ(on.stats.computeSetsRelocated, 0u);
  EXPECT_EQ(on.stats.computeSetsDecoded, 2u);
  expectNear(on.p2, partials(values(32, 3, -0.75f, 0.5f)));
  EXPECT_EQ(on.p2, off.p2);
  // With no gap the split intervals move together: relocated.
  plan::LoadedPlan together = load(twoMatMuls(/*split=*/true, 0));
  SimRun moved = run(together, true);
  EXPECT_EQ(moved.stats.computeSetsRelocated, 1u);
  expectNear(moved.p2, partials(values(32, 3, -0.75f, 0.5f)));
}

TEST(SimRelocate, AnOutputMovedOntoAnInputIsDecoded) {
  // add1: o1 = x + a1, add2: o2 = x + a2, where a2 and o2 are a1's and
  // o1's layouts at other addresses, and o2 moves onto a2's last half:
  // the in-place choices made for add1 do not hold for add2.
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t a1 = b.addF32("a1", {4}), a2 = b.addF32("a2", {4});
  uint32_t o1 = b.addOutput("o1", {4}), o2 = b.addOutput("o2", {4});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(a1, 0, 4, 64);
  b.mapOn(a2, 0, 4, 128);
  b.mapOn(o1, 0, 4, 256);
  b.mapOn(o2, 0, 4, 136);
  // One table for both, as the compiler shares Generic tables by content.
  CodeletSpec add = sharedCodelet(addCodelet(4));
  b.add(TB::hostWrite("x", x));
  b.add(TB::exchange("load", {{{x, {0}, {4}}, {a1, {0}, {4}}},
                              {{x, {0}, {4}}, {a2, {0}, {4}}}}));
  b.add(TB::computeSet(
      "add1", "add1.loc",
      {{0, {{x, {0}, {4}}, {a1, {0}, {4}}, {o1, {0}, {4}}}, add}}));
  b.add(TB::hostRead("o1", o1));
  b.add(TB::computeSet(
      "add2", "add2.loc",
      {{0, {{x, {0}, {4}}, {a2, {0}, {4}}, {o2, {0}, {4}}}, add}}));
  b.add(TB::hostRead("o2", o2));
  plan::LoadedPlan p = load(b.finish());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::vector<float> xv{1, -2, 3, 4.5f};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, xv.data(), 16, err)) << err;
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(dev->decodeStats().computeSetsRelocated, 0u);
  std::vector<float> twice{2, -4, 6, 9};
  EXPECT_EQ(output(*dev, "o1", 4), twice);
  EXPECT_EQ(output(*dev, "o2", 4), twice);
}

} // namespace
