//===- SimDeviceTest.cpp - BSP simulator semantics on hand-built plans ----===//

#include "ipuc/sim/SimDevice.h"
#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "ipuc/host/HostDevice.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::Opcode;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

// a (8, split over tiles 0/1) + b (8, all on tile 1): the first half of b is
// exchanged to tile 0, then both tiles add their halves.
std::vector<uint8_t> twoTileAdd() {
  TB b;
  uint32_t a = b.addInput("a", {8});
  uint32_t bb = b.addInput("b", {8});
  uint32_t b0 = b.addF32("b0", {4});
  uint32_t out = b.addOutput("out", {8});
  b.map(a, {TileInterval(0, 0, 4, 0), TileInterval(1, 4, 8, 0)});
  b.mapOn(bb, 1, 8, 16);
  b.mapOn(b0, 0, 4, 16);
  b.map(out, {TileInterval(0, 0, 4, 32), TileInterval(1, 4, 8, 48)});
  b.add(TB::hostWrite("a", a));
  b.add(TB::hostWrite("b", bb));
  b.add(TB::exchange("send_b", {{{bb, {0}, {4}}, {b0, {0}, {4}}}}));
  b.add(TB::computeSet(
      "add", "model.onnx:node 'add' (Add)",
      {{0, {{a, {0}, {4}}, {b0, {0}, {4}}, {out, {0}, {4}}}, addCodelet(4)},
       {1, {{a, {4}, {4}}, {bb, {4}, {4}}, {out, {4}, {4}}}, addCodelet(4)}}));
  b.add(TB::hostRead("out", out));
  return b.finish();
}

TEST(SimDevice, TwoTileAddWithExchange) {
  plan::LoadedPlan p = load(twoTileAdd());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> bv = {10, 20, 30, 40, 50, 60, 70, 80};
  std::string err;
  ASSERT_TRUE(dev->setInput("a", DType::F32, {8}, a.data(), 32, err)) << err;
  ASSERT_TRUE(dev->setInput("b", DType::F32, {8}, bv.data(), 32, err)) << err;
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "out", 8),
            (std::vector<float>{11, 22, 33, 44, 55, 66, 77, 88}));
  const sim::SimSummary &s = dev->summary();
  EXPECT_EQ(s.exchangeBytes, 16u);
  EXPECT_EQ(s.tilesUsed, 2u);
  // Tile 0: a[0:4] @0, b0 @16, out @32 = 48 bytes; tile 1: 16 + 32 + 16.
  EXPECT_EQ(dev->tileMemoryBytes()[0], 48u);
  EXPECT_EQ(dev->tileMemoryBytes()[1], 64u);
  EXPECT_EQ(s.peakTileMemoryBytes, 64u);
  EXPECT_EQ(s.peakTile, 1u);
}

// Hand-computed cycles (docs/cost-model.md):
//  exchange: no compute before it, so it pays its own sync (150), plus
//            16 bytes / 4 B/cycle + 32 setup = 36.
//  add: each tile one vertex of 4 f32 adds: 4 x 1 / 2 lanes = 2 + 50 = 52;
//       plus the sync ending the compute phase (150).
TEST(SimDevice, CycleAccountingMatchesHandComputed) {
  plan::LoadedPlan p = load(twoTileAdd());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::vector<float> x(8, 1.0f);
  std::string err;
  ASSERT_TRUE(dev->setInput("a", DType::F32, {8}, x.data(), 32, err));
  ASSERT_TRUE(dev->setInput("b", DType::F32, {8}, x.data(), 32, err));
  ASSERT_TRUE(dev->run(err)) << err;
  const auto &steps = dev->steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, "exchange");
  EXPECT_EQ(steps[0].syncCycles, 150u);
  EXPECT_EQ(steps[0].exchangeCycles, 36u);
  EXPECT_EQ(steps[0].exchangeBytes, 16u);
  EXPECT_EQ(steps[1].kind, "compute");
  EXPECT_EQ(steps[1].computeCycles, 52u);
  EXPECT_EQ(steps[1].syncCycles, 150u);
  EXPECT_EQ(steps[1].flops, 8.0);
  EXPECT_EQ(dev->summary().totalCycles, 150u + 36 + 52 + 150);
  EXPECT_EQ(dev->tileBusyCycles()[0], 52u);
  EXPECT_EQ(dev->tileBusyCycles()[1], 52u);
  EXPECT_EQ(dev->tileBusyCycles()[2], 0u);
  EXPECT_DOUBLE_EQ(dev->summary().seconds, 388e-9);
  ASSERT_EQ(dev->summary().topComputeSets.size(), 1u);
  EXPECT_EQ(dev->summary().topComputeSets[0].name, "add");
  // Running again gives the same accounting (not cumulative).
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(dev->summary().totalCycles, 388u);
}

// C[4x4] = A[4x8] x B[8x4] with K split over 4 tiles: tile t computes the
// partial P[t] = A[:, 2t:2t+2] x B[2t:2t+2, :]; an exchange sends row u of
// every partial to tile u; a second compute set zero-fills and reduces.
struct MatMulPlan {
  std::vector<uint8_t> bytes;
  std::vector<float> a, b;
};

MatMulPlan splitMatMul() {
  MatMulPlan r;
  for (int i = 0; i < 32; ++i) {
    r.a.push_back(0.25f * (i % 7) - 0.5f);
    r.b.push_back(0.5f * (i % 5) - 1.0f);
  }
  TB b;
  uint32_t A = b.addInput("A", {4, 8});
  uint32_t Bm = b.addConstant("B", {8, 4}, r.b);
  uint32_t P = b.addF32("partials", {4, 4, 4});
  uint32_t Q = b.addF32("gathered", {4, 4, 4});
  uint32_t C = b.addOutput("C", {4, 4});
  // A's column block t is 4 runs of 2 elements on tile t.
  std::vector<TileInterval> aiv;
  for (int row = 0; row < 4; ++row)
    for (uint32_t t = 0; t < 4; ++t)
      aiv.emplace_back(t, row * 8 + 2 * t, row * 8 + 2 * t + 2, row * 8);
  b.map(A, aiv);
  std::vector<TileInterval> biv, piv, qiv, civ;
  for (uint32_t t = 0; t < 4; ++t) {
    biv.emplace_back(t, 8 * t, 8 * t + 8, 32);
    piv.emplace_back(t, 16 * t, 16 * t + 16, 64);
    qiv.emplace_back(t, 16 * t, 16 * t + 16, 128);
    civ.emplace_back(t, 4 * t, 4 * t + 4, 192);
  }
  b.map(Bm, biv);
  b.map(P, piv);
  b.map(Q, qiv);
  b.map(C, civ);
  std::vector<VertexSpec> mm;
  for (int64_t t = 0; t < 4; ++t)
    mm.push_back({uint32_t(t),
                  {{A, {0, 2 * t}, {4, 2}},
                   {Bm, {2 * t, 0}, {2, 4}},
                   {P, {t, 0, 0}, {1, 4, 4}}},
                  matmulCodelet(0, 1, -1, 2, 4, 4, 2)});
  b.add(TB::computeSet("mm_partials", "model.onnx:node 'mm' (MatMul)", mm));
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t u = 0; u < 4; ++u)
    for (int64_t t = 0; t < 4; ++t)
      copies.push_back({{P, {t, u, 0}, {1, 1, 4}}, {Q, {u, t, 0}, {1, 1, 4}}});
  b.add(TB::exchange("gather_partials", copies));
  GenericSpec red;
  red.bounds = {4, 4}; // (t, j)
  red.reductionDims = {1, 0};
  red.inputs = {{0, 0, {4, 1}}};
  red.outputs = {{1, 0, {0, 1}}};
  red.program = {instr(Opcode::AddF, DType::F32, 2, 0, 1),
                 instr(Opcode::Yield, DType::F32, 0, 0, 2)};
  std::vector<VertexSpec> rv;
  for (int64_t u = 0; u < 4; ++u) {
    rv.push_back({uint32_t(u), {{C, {u, 0}, {1, 4}}}, fillCodelet(0, 0.0)});
    rv.push_back({uint32_t(u),
                  {{Q, {u, 0, 0}, {1, 4, 4}}, {C, {u, 0}, {1, 4}}},
                  genericCodelet(red)});
  }
  b.add(TB::computeSet("reduce", "model.onnx:node 'mm' (MatMul)", rv));
  r.bytes = b.finish();
  return r;
}

TEST(SimDevice, MatMulSplitOverFourTilesWithReduction) {
  MatMulPlan mp = splitMatMul();
  plan::LoadedPlan p = load(mp.bytes);
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::string err;
  ASSERT_TRUE(dev->setInput("A", DType::F32, {4, 8}, mp.a.data(), 128, err));
  ASSERT_TRUE(dev->run(err)) << err;
  std::vector<float> c = output(*dev, "C", 16);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      float want = 0;
      for (int k = 0; k < 8; ++k)
        want += mp.a[i * 8 + k] * mp.b[k * 4 + j];
      EXPECT_NEAR(c[i * 4 + j], want, 1e-5) << i << "," << j;
    }
  // Partial matmuls: 2*4*4*2 = 64 flops at 32/cycle = 2 cycles + 50.
  EXPECT_EQ(dev->steps()[0].computeCycles, 52u);
  EXPECT_EQ(dev->steps()[0].flops, 4 * 64.0);
  // Each tile sends 3 rows (16 B each) away and keeps one: 64 B sent and
  // received per tile -> 16 cycles + 32 setup.
  EXPECT_EQ(dev->steps()[1].exchangeCycles, 48u);
  EXPECT_EQ(dev->steps()[1].syncCycles, 0u); // shares the compute set's sync
  EXPECT_EQ(dev->steps()[1].exchangeBytes, 256u);
}

TEST(SimDevice, ResultsEqualHostDevice) {
  MatMulPlan mp = splitMatMul();
  plan::LoadedPlan sp = load(mp.bytes);
  auto dev = makeSim(sp);
  ASSERT_TRUE(dev);
  std::string err;
  ASSERT_TRUE(dev->setInput("A", DType::F32, {4, 8}, mp.a.data(), 128, err));
  ASSERT_TRUE(dev->run(err)) << err;

  PlanTestBuilder hb;
  uint32_t A = hb.addInput("A", DType::F32, {4, 8});
  uint32_t Bm = hb.addConstant<float>("B", DType::F32, {8, 4}, mp.b);
  uint32_t C = hb.addOutput("C", DType::F32, {4, 4});
  hb.addMatMul(A, Bm, -1, C, 1, 4, 4, 8, false, false, 0, 0);
  plan::LoadedPlan hp = load(hb.finish());
  host::HostDevice host(hp);
  ASSERT_TRUE(host.setInput("A", DType::F32, {4, 8}, mp.a.data(), 128, err));
  ASSERT_TRUE(host.run(err)) << err;
  const float *h = static_cast<const float *>(host.outputData("C"));
  std::vector<float> s = output(*dev, "C", 16);
  for (int i = 0; i < 16; ++i)
    EXPECT_NEAR(s[i], h[i], 1e-5f * (1 + std::fabs(h[i])));
}

// A compute set writes t on tile 0, the exchange reads it: the exchange must
// see the compute set's result. A second exchange swaps two tensors, which
// works only if every copy reads before any writes.
TEST(SimDevice, ExchangeSeesPreviousComputeSetAndSnapshots) {
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t t = b.addF32("t", {4});
  uint32_t u = b.addF32("u", {4});
  uint32_t y = b.addOutput("y", {4});
  uint32_t p = b.addConstant("p", {2}, {1, 2});
  uint32_t q = b.addConstant("q", {2}, {3, 4});
  uint32_t pq = b.addOutput("pq", {4});
  // p and q are constants only in name here; make them writable copies.
  uint32_t pw = b.addF32("pw", {2});
  uint32_t qw = b.addF32("qw", {2});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(t, 0, 4, 16);
  b.mapOn(u, 1, 4, 0);
  b.mapOn(y, 1, 4, 16);
  b.mapOn(p, 2, 2, 0);
  b.mapOn(q, 3, 2, 0);
  b.mapOn(pw, 2, 2, 8);
  b.mapOn(qw, 3, 2, 8);
  b.map(pq, {TileInterval(2, 0, 2, 16), TileInterval(3, 2, 4, 16)});
  b.add(TB::computeSet(
      "double", "l1",
      {{0, {{x, {0}, {4}}, {x, {0}, {4}}, {t, {0}, {4}}}, addCodelet(4)}}));
  b.add(TB::exchange("move", {{{t, {0}, {4}}, {u, {0}, {4}}},
                              {{p, {0}, {2}}, {pw, {0}, {2}}},
                              {{q, {0}, {2}}, {qw, {0}, {2}}}}));
  b.add(TB::computeSet(
      "plus_u", "l2",
      {{1, {{u, {0}, {4}}, {x, {0}, {4}}, {y, {0}, {4}}}, addCodelet(4)}}));
  b.add(TB::exchange("swap", {{{pw, {0}, {2}}, {qw, {0}, {2}}},
                              {{qw, {0}, {2}}, {pw, {0}, {2}}}}));
  b.add(TB::exchange("collect", {{{pw, {0}, {2}}, {pq, {0}, {2}}},
                                 {{qw, {0}, {2}}, {pq, {2}, {2}}}}));
  plan::LoadedPlan lp = load(b.finish());
  // plus_u reads x on tile 1 although x lives on tile 0: checked mode
  // rejects it, naming everything needed to find the bug.
  {
    sim::SimOptions o;
    std::string err;
    EXPECT_FALSE(sim::SimDevice::create(lp, o, err));
    EXPECT_NE(err.find("compute set 'plus_u' at l2"), std::string::npos) << err;
    EXPECT_NE(err.find("vertex 0 on tile 1"), std::string::npos) << err;
    EXPECT_NE(err.find("%0 'x'"), std::string::npos) << err;
    EXPECT_NE(err.find("element [0]"), std::string::npos) << err;
    EXPECT_NE(err.find("lives on tile 0"), std::string::npos) << err;
  }
  auto dev = makeSim(lp, /*checked=*/false);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 2, 3, 4};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 4), (std::vector<float>{3, 6, 9, 12}));
  EXPECT_EQ(output(*dev, "pq", 4), (std::vector<float>{3, 4, 1, 2}));
}

// acc += x five times inside a Repeat; the profile counts executions.
TEST(SimDevice, RepeatRunsBodyCountTimes) {
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t acc = b.addOutput("acc", {4});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(acc, 0, 4, 16);
  b.add(
      TB::computeSet("zero", "z", {{0, {{acc, {0}, {4}}}, fillCodelet(0, 0)}}));
  b.add(TB::repeat(
      5, {TB::computeSet("accumulate", "acc",
                         {{0,
                           {{acc, {0}, {4}}, {x, {0}, {4}}, {acc, {0}, {4}}},
                           addCodelet(4)}})}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, -2, 0.5f, 4};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "acc", 4), (std::vector<float>{5, -10, 2.5f, 20}));
  const auto &steps = dev->steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].executions, 5u);
  // Fill of 16 bytes: 2 cycles + 50; add: 2 + 50; each with a sync.
  EXPECT_EQ(steps[0].computeCycles, 52u);
  EXPECT_EQ(steps[1].computeCycles, 5 * 52u);
  EXPECT_EQ(steps[1].syncCycles, 5 * 150u);
  EXPECT_EQ(dev->summary().totalCycles, 6 * (52u + 150));
}

TEST(SimDevice, CapacityErrorNamesTile) {
  TB b;
  uint32_t x = b.addInput("x", {16});
  b.map(x, {TileInterval(0, 0, 8, 0), TileInterval(3, 8, 16, 4070)});
  plan::LoadedPlan p;
  std::string err;
  EXPECT_FALSE(plan::loadPlanBuffer(b.finish(), p, err));
  EXPECT_NE(err.find("on tile 3"), std::string::npos) << err;
  EXPECT_NE(err.find("4096 bytes"), std::string::npos) << err;
  EXPECT_NE(err.find("'x'"), std::string::npos) << err;
}

TEST(SimDevice, RejectsHostPlans) {
  PlanTestBuilder hb;
  hb.addInput("x", DType::F32, {2});
  plan::LoadedPlan hp = load(hb.finish());
  std::string err;
  EXPECT_FALSE(sim::SimDevice::create(hp, {}, err));
  EXPECT_NE(err.find("--target=ipu"), std::string::npos) << err;
}

TEST(SimDevice, ProfileJson) {
  plan::LoadedPlan p = load(twoTileAdd());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::vector<float> x(8, 1.0f);
  std::string err;
  ASSERT_TRUE(dev->setInput("a", DType::F32, {8}, x.data(), 32, err));
  ASSERT_TRUE(dev->setInput("b", DType::F32, {8}, x.data(), 32, err));
  ASSERT_TRUE(dev->run(err)) << err;
  std::string j = dev->profileJson();
  EXPECT_NE(j.find("\"total_cycles\": 388"), std::string::npos) << j;
  EXPECT_NE(j.find("\"peak_memory_bytes\": [48, 64, 0, 0]"), std::string::npos)
      << j;
  EXPECT_NE(j.find("\"busy_cycles\": [52, 52, 0, 0]"), std::string::npos) << j;
  EXPECT_NE(j.find("\"loc\": \"model.onnx:node 'add' (Add)\""),
            std::string::npos)
      << j;
  std::string summary = dev->summary().format();
  EXPECT_NE(summary.find("total cycles      388"), std::string::npos)
      << summary;
}

} // namespace
