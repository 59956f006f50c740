//===- SimDecodeTest.cpp - Decoding a tile program on several threads ----===//
//
// The simulator decodes compute sets and exchanges on its thread pool. These
// tests check that the decoded program does not depend on the number of
// threads: the same outputs (against a reference computed here with plain
// loops), the same per-step cycles and bytes, and, for a bad plan, the error
// of the first bad step in program order whichever thread reaches it first.
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

constexpr uint32_t kTiles = 8;
constexpr int kRounds = 12;

/// acc[8x4] (row t on tile t) starts at zero; each round adds x (row t on
/// tile t) on every tile, rotates the rows by one (a staged exchange: its
/// destinations are its sources), then copies the column block acc[:, 1:3]
/// into cols[8x2], whose three intervals cut rows in the middle (decoded run
/// by run). With `bad`, two compute sets read another tile's memory, which
/// checked mode rejects; the one reached first is after round 1.
std::vector<uint8_t> roundsPlan(bool bad) {
  TB b;
  uint32_t x = b.addInput("x", {kTiles, 4});
  uint32_t acc = b.addOutput("acc", {kTiles, 4});
  uint32_t cols = b.addOutput("cols", {kTiles, 2});
  std::vector<TileInterval> xs, accs;
  for (uint32_t t = 0; t < kTiles; ++t) {
    xs.push_back(TileInterval(t, 4 * t, 4 * t + 4, 0));
    accs.push_back(TileInterval(t, 4 * t, 4 * t + 4, 16));
  }
  b.map(x, xs);
  b.map(acc, accs);
  b.map(cols, {TileInterval(0, 0, 5, 64), TileInterval(3, 5, 11, 64),
               TileInterval(6, 11, 16, 64)});
  auto row = [](uint32_t tensor, int64_t r) {
    return BoxSpec{tensor, {r, 0}, {1, 4}};
  };
  std::vector<VertexSpec> zero;
  for (uint32_t t = 0; t < kTiles; ++t)
    zero.push_back({t, {row(acc, t)}, fillCodelet(0, 0)});
  b.add(TB::computeSet("zero", "zero.loc", zero));
  auto badStep = [&](const std::string &name) {
    b.add(TB::computeSet(
        name, name + ".loc",
        {{1, {row(x, 0), row(x, 0), row(acc, 1)}, addCodelet(4)}}));
  };
  for (int k = 0; k < kRounds; ++k) {
    std::string n = std::to_string(k);
    std::vector<VertexSpec> add;
    for (uint32_t t = 0; t < kTiles; ++t)
      add.push_back({t, {row(acc, t), row(x, t), row(acc, t)}, addCodelet(4)});
    b.add(TB::computeSet("add" + n, "add.loc", add));
    std::vector<std::pair<BoxSpec, BoxSpec>> rot;
    for (uint32_t t = 0; t < kTiles; ++t)
      rot.push_back({row(acc, t), row(acc, (t + 1) % kTiles)});
    b.add(TB::exchange("rot" + n, rot));
    b.add(TB::exchange("cols" + n, {{{acc, {0, 1}, {kTiles, 2}},
                                     {cols, {0, 0}, {kTiles, 2}}}}));
    if (bad && k == 1)
      badStep("bad_early");
    if (bad && k == 10)
      badStep("bad_late");
  }
  return b.finish({kTiles, 4096});
}

std::unique_ptr<sim::SimDevice> create(const plan::LoadedPlan &p,
                                       unsigned threads, std::string &err) {
  sim::SimOptions o;
  o.threads = threads;
  return sim::SimDevice::create(p, o, err);
}

TEST(SimDecode, SameProgramOnAnyNumberOfThreads) {
  plan::LoadedPlan p = load(roundsPlan(false));
  std::vector<float> x(kTiles * 4);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = 0.5f * static_cast<float>(i) - 3.0f;
  // The reference, with plain loops.
  std::vector<float> acc(kTiles * 4, 0.0f), cols(kTiles * 2);
  for (int k = 0; k < kRounds; ++k) {
    for (size_t i = 0; i < acc.size(); ++i)
      acc[i] += x[i];
    std::vector<float> rotated(acc.size());
    for (uint32_t t = 0; t < kTiles; ++t)
      for (int c = 0; c < 4; ++c)
        rotated[((t + 1) % kTiles) * 4 + c] = acc[t * 4 + c];
    acc = rotated;
    for (uint32_t t = 0; t < kTiles; ++t)
      for (int c = 0; c < 2; ++c)
        cols[t * 2 + c] = acc[t * 4 + 1 + c];
  }
  std::vector<sim::StepProfile> first;
  uint64_t firstCycles = 0;
  for (unsigned threads : {1u, 2u, 4u}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    std::string err;
    auto dev = create(p, threads, err);
    ASSERT_TRUE(dev) << err;
    ASSERT_TRUE(dev->setInput("x", DType::F32, {kTiles, 4}, x.data(),
                              4 * x.size(), err))
        << err;
    ASSERT_TRUE(dev->run(err)) << err;
    EXPECT_EQ(output(*dev, "acc", acc.size()), acc);
    EXPECT_EQ(output(*dev, "cols", cols.size()), cols);
    const auto &steps = dev->steps();
    ASSERT_EQ(steps.size(), 1u + 3 * kRounds);
    if (first.empty()) {
      first = steps;
      firstCycles = dev->summary().totalCycles;
      continue;
    }
    EXPECT_EQ(dev->summary().totalCycles, firstCycles);
    for (size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(steps[i].name, first[i].name) << i;
      EXPECT_EQ(steps[i].kind, first[i].kind) << i;
      EXPECT_EQ(steps[i].computeCycles, first[i].computeCycles) << i;
      EXPECT_EQ(steps[i].exchangeCycles, first[i].exchangeCycles) << i;
      EXPECT_EQ(steps[i].exchangeBytes, first[i].exchangeBytes) << i;
      EXPECT_EQ(steps[i].flops, first[i].flops) << i;
    }
  }
  // Rotating 8 rows of 16 bytes and copying 8 x 8 bytes, every round.
  EXPECT_EQ(first[2].exchangeBytes, kTiles * 16u);
  EXPECT_EQ(first[3].exchangeBytes, kTiles * 8u);
}

TEST(SimDecode, FirstBadStepInProgramOrderIsReported) {
  plan::LoadedPlan p = load(roundsPlan(true));
  for (unsigned threads : {1u, 2u, 4u})
    for (int attempt = 0; attempt < 10; ++attempt) {
      std::string err;
      EXPECT_FALSE(create(p, threads, err));
      EXPECT_EQ(err.find("compute set 'bad_early' at bad_early.loc: vertex 0 "
                         "on tile 1 (checked mode): operand 0"),
                0u)
          << "threads " << threads << ": " << err;
    }
}

// The verifier accepts empty intervals; the simulator must step over them
// (they used to end a run as "not mapped to any tile").
TEST(SimDecode, EmptyIntervalsMapNothing) {
  TB b;
  uint32_t x = b.addInput("x", {8});
  uint32_t y = b.addOutput("y", {8});
  b.map(x, {TileInterval(0, 0, 4, 0), TileInterval(2, 4, 4, 0),
            TileInterval(1, 4, 8, 0)});
  b.map(y, {TileInterval(3, 0, 2, 0), TileInterval(3, 2, 2, 8),
            TileInterval(0, 2, 8, 16)});
  b.add(TB::exchange("copy", {{{x, {0}, {8}}, {y, {0}, {8}}}}));
  plan::LoadedPlan p = load(b.finish());
  auto dev = makeSim(p, /*checked=*/true);
  ASSERT_TRUE(dev);
  std::vector<float> xv = {1, 2, 3, 4, 5, 6, 7, 8};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {8}, xv.data(), 32, err)) << err;
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 8), xv);
  // Only the non-empty intervals take memory: tile 2 holds nothing.
  EXPECT_EQ(dev->tileMemoryBytes()[2], 0u);
  EXPECT_EQ(dev->steps()[0].exchangeBytes, 32u);
}

} // namespace
