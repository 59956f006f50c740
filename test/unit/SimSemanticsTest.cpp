//===- SimSemanticsTest.cpp - What the simulator's fast paths must keep ---===//
//
// The simulator runs operands in place, copies exchanges straight across,
// runs big phases on the thread pool and allocates tile memory only up to
// each tile's highest mapped byte. These tests pin down the semantics those
// shortcuts must keep: a vertex sees packed copies of its operands, an
// exchange moves a snapshot and later copies win, one sync per superstep,
// and the whole SRAM is addressable. Expected values are worked out by hand
// or by plain index arithmetic here, not taken from the simulator.
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

const sim::StepProfile &step(const sim::SimDevice &dev,
                             const std::string &name) {
  for (const sim::StepProfile &s : dev.steps())
    if (s.name == name)
      return s;
  ADD_FAILURE() << "no step " << name;
  return dev.steps().front();
}

// t[1:5] = t[0:4] + 0 reads and writes overlapping boxes of one tensor. A
// vertex works on packed copies of its operands, so the result is t shifted
// by one element.
TEST(SimSemantics, OverlappingOperandsSeePackedCopies) {
  TB b;
  uint32_t x = b.addInput("x", {5});
  uint32_t t = b.addF32("t", {5});
  uint32_t z = b.addConstant("z", {4}, {0, 0, 0, 0});
  uint32_t y = b.addOutput("y", {5});
  b.mapOn(x, 0, 5, 0);
  b.mapOn(t, 0, 5, 32);
  b.mapOn(z, 0, 4, 64);
  b.mapOn(y, 0, 5, 96);
  b.add(TB::computeSet(
      "double", "l1",
      {{0, {{x, {0}, {5}}, {x, {0}, {5}}, {t, {0}, {5}}}, addCodelet(5)}}));
  b.add(TB::computeSet(
      "shift", "l2",
      {{0, {{t, {0}, {4}}, {z, {0}, {4}}, {t, {1}, {4}}}, addCodelet(4)}}));
  b.add(TB::exchange("out", {{{t, {0}, {5}}, {y, {0}, {5}}}}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 2, 3, 4, 5};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {5}, xv.data(), 20, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 5), (std::vector<float>{2, 2, 4, 6, 8}));
}

// C = A x B written over A itself (result box == lhs box). The codelet sees
// packed copies, so this is the product of the old A; a kernel working in
// place would zero its result, and with it A, before multiplying.
TEST(SimSemantics, ResultOverItsOwnInputSeesPackedCopies) {
  TB b;
  uint32_t x = b.addInput("x", {2, 2});
  uint32_t a = b.addF32("a", {2, 2});
  uint32_t m = b.addConstant("m", {2, 2}, {1, 2, 3, 4});
  uint32_t y = b.addOutput("y", {2, 2});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(a, 0, 4, 16);
  b.mapOn(m, 0, 4, 32);
  b.mapOn(y, 0, 4, 48);
  b.add(TB::exchange("load", {{{x, {0, 0}, {2, 2}}, {a, {0, 0}, {2, 2}}}}));
  b.add(TB::computeSet(
      "a_times_m", "l1",
      {{0,
        {{a, {0, 0}, {2, 2}}, {m, {0, 0}, {2, 2}}, {a, {0, 0}, {2, 2}}},
        matmulCodelet(0, 1, -1, 2, 2, 2, 2)}}));
  b.add(TB::exchange("out", {{{a, {0, 0}, {2, 2}}, {y, {0, 0}, {2, 2}}}}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 1, 0, 2};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {2, 2}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  // [[1, 1], [0, 2]] x [[1, 2], [3, 4]].
  EXPECT_EQ(output(*dev, "y", 4), (std::vector<float>{4, 6, 6, 8}));
}

// One exchange with x -> b, b -> c, x -> d, c -> d: every copy reads the
// state before the exchange (c gets b's old value), and where two copies
// write the same bytes the later one wins (d gets c's old value).
TEST(SimSemantics, ExchangeReadsSnapshotAndLaterCopiesWin) {
  TB b;
  uint32_t x = b.addInput("x", {2});
  uint32_t kb = b.addConstant("kb", {2}, {10, 20});
  uint32_t kc = b.addConstant("kc", {2}, {30, 40});
  uint32_t bb = b.addF32("b", {2});
  uint32_t c = b.addF32("c", {2});
  uint32_t d = b.addF32("d", {2});
  uint32_t out = b.addOutput("out", {6});
  b.mapOn(x, 0, 2, 0);
  b.mapOn(kb, 1, 2, 0);
  b.mapOn(kc, 2, 2, 0);
  b.mapOn(bb, 1, 2, 16);
  b.mapOn(c, 2, 2, 16);
  b.mapOn(d, 3, 2, 16);
  b.mapOn(out, 0, 6, 32);
  b.add(TB::exchange("init", {{{kb, {0}, {2}}, {bb, {0}, {2}}},
                              {{kc, {0}, {2}}, {c, {0}, {2}}}}));
  b.add(TB::exchange("step", {{{x, {0}, {2}}, {bb, {0}, {2}}},
                              {{bb, {0}, {2}}, {c, {0}, {2}}},
                              {{x, {0}, {2}}, {d, {0}, {2}}},
                              {{c, {0}, {2}}, {d, {0}, {2}}}}));
  b.add(TB::exchange("collect", {{{bb, {0}, {2}}, {out, {0}, {2}}},
                                 {{c, {0}, {2}}, {out, {2}, {2}}},
                                 {{d, {0}, {2}}, {out, {4}, {2}}}}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 2};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {2}, xv.data(), 8, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "out", 6), (std::vector<float>{1, 2, 10, 20, 30, 40}));
  // 4 copies of 8 bytes; tile 3 receives 16: 32 + 16 / 4 cycles.
  EXPECT_EQ(step(*dev, "step").exchangeBytes, 32u);
  EXPECT_EQ(step(*dev, "step").exchangeCycles, 36u);
}

// 1 MiB moved in 256 blocks whose order is reversed, then a two-tile add of
// 256 KiB operands: both large enough to run on the thread pool. Run twice
// to cover reused scratch and chunk state.
TEST(SimSemantics, LargeExchangeAndComputeOnThreadPool) {
  constexpr int64_t kN = 65536;   // elements per tile
  constexpr int64_t kBlock = 512; // elements per copy
  constexpr int64_t kBlocks = 2 * kN / kBlock;
  TB b;
  uint32_t x = b.addInput("x", {2 * kN});
  uint32_t r = b.addF32("r", {2 * kN});
  uint32_t y = b.addOutput("y", {2 * kN});
  b.map(x, {TileInterval(0, 0, kN, 0), TileInterval(1, kN, 2 * kN, 0)});
  b.map(r, {TileInterval(2, 0, kN, 0), TileInterval(3, kN, 2 * kN, 0)});
  b.map(y,
        {TileInterval(2, 0, kN, 4 * kN), TileInterval(3, kN, 2 * kN, 4 * kN)});
  std::vector<std::pair<BoxSpec, BoxSpec>> copies;
  for (int64_t j = 0; j < kBlocks; ++j)
    copies.push_back({{x, {j * kBlock}, {kBlock}},
                      {r, {(kBlocks - 1 - j) * kBlock}, {kBlock}}});
  b.add(TB::exchange("reverse_blocks", copies));
  b.add(TB::computeSet(
      "double", "l1",
      {{2, {{r, {0}, {kN}}, {r, {0}, {kN}}, {y, {0}, {kN}}}, addCodelet(kN)},
       {3,
        {{r, {kN}, {kN}}, {r, {kN}, {kN}}, {y, {kN}, {kN}}},
        addCodelet(kN)}}));
  DeviceSpec spec;
  spec.sram = 1 << 20;
  plan::LoadedPlan lp = load(b.finish(spec));
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  for (int rep = 0; rep < 2; ++rep) {
    std::vector<float> xv(2 * kN);
    for (int64_t i = 0; i < 2 * kN; ++i)
      xv[i] = static_cast<float>(i % 1000) + 0.25f * rep;
    std::string err;
    ASSERT_TRUE(
        dev->setInput("x", DType::F32, {2 * kN}, xv.data(), 8 * kN, err));
    ASSERT_TRUE(dev->run(err)) << err;
    std::vector<float> got = output(*dev, "y", 2 * kN), want(2 * kN);
    for (int64_t i = 0; i < 2 * kN; ++i) {
      int64_t block = i / kBlock, within = i % kBlock;
      want[i] = 2 * xv[(kBlocks - 1 - block) * kBlock + within];
    }
    ASSERT_EQ(got, want) << "run " << rep;
  }
  // Tiles 0 and 1 each send 256 KiB, tiles 2 and 3 each receive it.
  EXPECT_EQ(step(*dev, "reverse_blocks").exchangeBytes, 8u * kN);
  EXPECT_EQ(step(*dev, "reverse_blocks").exchangeCycles, 32u + kN);
}

// A view (the compiler's reshape) is a second tensor over the same bytes: v
// (4 elements) has the intervals and addresses of a (2x2) on two tiles. A
// vertex reading v sees what a vertex wrote through a, with no copy between:
// a = x + x row by row, then y = v + v, so y is 4 x.
TEST(SimSemantics, ViewReadsItsSourceBytes) {
  TB b;
  uint32_t x = b.addInput("x", {2, 2});
  uint32_t a = b.addF32("a", {2, 2});
  uint32_t v = b.addF32("v", {4});
  uint32_t y = b.addOutput("y", {4});
  b.map(x, {TileInterval(0, 0, 2, 0), TileInterval(1, 2, 4, 0)});
  b.map(a, {TileInterval(0, 0, 2, 16), TileInterval(1, 2, 4, 16)});
  b.map(v, {TileInterval(0, 0, 2, 16), TileInterval(1, 2, 4, 16)});
  b.map(y, {TileInterval(0, 0, 2, 32), TileInterval(1, 2, 4, 32)});
  b.add(TB::computeSet(
      "double", "l1",
      {{0,
        {{x, {0, 0}, {1, 2}}, {x, {0, 0}, {1, 2}}, {a, {0, 0}, {1, 2}}},
        addCodelet(2)},
       {1,
        {{x, {1, 0}, {1, 2}}, {x, {1, 0}, {1, 2}}, {a, {1, 0}, {1, 2}}},
        addCodelet(2)}}));
  b.add(TB::computeSet(
      "through_view", "l2",
      {{0, {{v, {0}, {2}}, {v, {0}, {2}}, {y, {0}, {2}}}, addCodelet(2)},
       {1, {{v, {2}, {2}}, {v, {2}, {2}}, {y, {2}, {2}}}, addCodelet(2)}}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 2, 3, 4};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {2, 2}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 4), (std::vector<float>{4, 8, 12, 16}));
}

// The sync ending a compute phase also starts the exchange after it; any
// other exchange (after an exchange, a host stream, or first) pays its own.
TEST(SimSemantics, OneSyncPerSuperstep) {
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t t = b.addF32("t", {4});
  uint32_t u = b.addF32("u", {4});
  uint32_t y = b.addOutput("y", {4});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(t, 0, 4, 16);
  b.mapOn(u, 1, 4, 0);
  b.mapOn(y, 1, 4, 16);
  b.add(TB::hostWrite("x", x));
  b.add(TB::exchange("first", {{{x, {0}, {4}}, {u, {0}, {4}}}}));
  b.add(TB::repeat(
      3,
      {TB::computeSet(
           "double", "l1",
           {{0, {{x, {0}, {4}}, {x, {0}, {4}}, {t, {0}, {4}}}, addCodelet(4)}}),
       TB::exchange("after_compute", {{{t, {0}, {4}}, {u, {0}, {4}}}}),
       TB::exchange("after_exchange", {{{u, {0}, {4}}, {y, {0}, {4}}}})}));
  b.add(TB::hostRead("y", y));
  b.add(TB::exchange("after_read", {{{u, {0}, {4}}, {y, {0}, {4}}}}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 2, 3, 4};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 4), (std::vector<float>{2, 4, 6, 8}));
  EXPECT_EQ(step(*dev, "first").syncCycles, 150u);
  EXPECT_EQ(step(*dev, "double").syncCycles, 3 * 150u);
  EXPECT_EQ(step(*dev, "after_compute").syncCycles, 0u);
  EXPECT_EQ(step(*dev, "after_exchange").syncCycles, 3 * 150u);
  EXPECT_EQ(step(*dev, "after_read").syncCycles, 150u);
  // 16 bytes per exchange: 32 + 4 cycles each; add of 4 f32: 2 + 50.
  EXPECT_EQ(dev->summary().totalCycles, (150u + 36) + 3 * (52 + 150) + 3 * 36 +
                                            3 * (150 + 36) + (150 + 36));
}

// The last bytes of a tile's SRAM are usable: memory is allocated up to the
// highest mapped byte, which here is the capacity itself.
TEST(SimSemantics, TopOfSramIsAddressable) {
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t y = b.addOutput("y", {4});
  b.mapOn(x, 3, 4, 4096 - 16);
  b.mapOn(y, 0, 4, 4096 - 16);
  b.add(TB::exchange("move", {{{x, {0}, {4}}, {y, {0}, {4}}}}));
  plan::LoadedPlan lp = load(b.finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {5, 6, 7, 8};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 4), xv);
  EXPECT_EQ(dev->tileMemoryBytes()[3], 16u);
  EXPECT_EQ(dev->summary().peakTileMemoryBytes, 16u);
}

// Checked mode looks at every run of an operand, not just its first: x[0:2]
// is on the vertex's tile, x[2:4] is not.
TEST(SimSemantics, CheckedModeTrapsPartlyOffTileOperand) {
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t y = b.addOutput("y", {4});
  b.map(x, {TileInterval(0, 0, 2, 0), TileInterval(1, 2, 4, 0)});
  b.mapOn(y, 0, 4, 16);
  b.add(TB::computeSet(
      "add", "model.onnx:7",
      {{0, {{x, {0}, {4}}, {x, {0}, {4}}, {y, {0}, {4}}}, addCodelet(4)}}));
  plan::LoadedPlan lp = load(b.finish());
  sim::SimOptions o;
  std::string err;
  EXPECT_FALSE(sim::SimDevice::create(lp, o, err));
  EXPECT_NE(err.find("compute set 'add' at model.onnx:7: vertex 0 on tile 0"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("operand 0 element [2]"), std::string::npos) << err;
  EXPECT_NE(err.find("lives on tile 1"), std::string::npos) << err;
  // Unchecked, the vertex reads across tiles (what hardware cannot do, but
  // what a partitioner bug would otherwise hide): 2x.
  o.checked = false;
  auto dev = sim::SimDevice::create(lp, o, err);
  ASSERT_TRUE(dev) << err;
  std::vector<float> xv = {1, 2, 3, 4};
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, xv.data(), 16, err));
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 4), (std::vector<float>{2, 4, 6, 8}));
}

} // namespace
