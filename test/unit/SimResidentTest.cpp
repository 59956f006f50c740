//===- SimResidentTest.cpp - Inputs kept resident across simulator runs ---===//
//
// SimDevice::makeResident, as the training loop uses it: an input updated
// on the device by an output of the same run, with no host streams of it
// between runs, and the on-device update costed as an exchange.
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

// w.next = w + x, each split over tiles 0 and 1 (two elements each); the
// host streams are implicit (no HostWrite/HostRead steps).
std::vector<uint8_t> accumulate() {
  TB b;
  uint32_t w = b.addInput("w", {4});
  uint32_t x = b.addInput("x", {4});
  uint32_t next = b.addOutput("w.next", {4});
  uint32_t wrong = b.addOutput("wrong", {2});
  b.map(w, {TileInterval(0, 0, 2, 0), TileInterval(1, 2, 4, 0)});
  b.map(x, {TileInterval(0, 0, 2, 8), TileInterval(1, 2, 4, 8)});
  b.map(next, {TileInterval(0, 0, 2, 16), TileInterval(1, 2, 4, 16)});
  b.mapOn(wrong, 0, 2, 24);
  b.add(TB::computeSet(
      "add", "",
      {{0, {{w, {0}, {2}}, {x, {0}, {2}}, {next, {0}, {2}}}, addCodelet(2)},
       {1, {{w, {2}, {2}}, {x, {2}, {2}}, {next, {2}, {2}}}, addCodelet(2)},
       {0, {{w, {0}, {2}}, {x, {0}, {2}}, {wrong, {0}, {2}}}, addCodelet(2)}}));
  return b.finish();
}

TEST(SimResident, UpdatedOnDeviceWithoutHostStreams) {
  plan::LoadedPlan p = load(accumulate());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::string err;
  ASSERT_TRUE(dev->makeResident({{"w", "w.next"}}, err)) << err;
  std::vector<float> w = {1, 2, 3, 4}, x = {10, 20, 30, 40};
  ASSERT_TRUE(dev->setInput("w", DType::F32, {4}, w.data(), 16, err)) << err;
  // The upload happens at once, not in run().
  EXPECT_EQ(dev->streamCounters().toDevice, 16u);
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, x.data(), 16, err)) << err;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(dev->run(err)) << err;
  // Per run: x in (16 bytes), `wrong` out (8 bytes); w and w.next never.
  EXPECT_EQ(dev->streamCounters().toDevice, 16u + 3 * 16u);
  EXPECT_EQ(dev->streamCounters().fromDevice, 3 * 8u);
  std::vector<float> now(4);
  ASSERT_TRUE(dev->readResident("w", now.data(), 16, err)) << err;
  EXPECT_EQ(now, (std::vector<float>{31, 62, 93, 124}));
  EXPECT_EQ(dev->streamCounters().fromDevice, 3 * 8u + 16u);
  // The last run read w = 1 + 2 x 10 (two updates), and added x again.
  EXPECT_EQ(output(*dev, "wrong", 2), (std::vector<float>{31, 62}));

  // The update: each tile sends and receives its own 8 bytes, 8 / 4 + 32
  // setup cycles; it follows a compute set, so it shares that one's sync.
  const sim::StepProfile *update = nullptr;
  for (const sim::StepProfile &s : dev->steps())
    if (s.name == "resident update")
      update = &s;
  ASSERT_TRUE(update);
  EXPECT_EQ(update->kind, "exchange");
  EXPECT_EQ(update->executions, 1u);
  EXPECT_EQ(update->exchangeBytes, 16u);
  EXPECT_EQ(update->exchangeCycles, 34u);
  EXPECT_EQ(update->syncCycles, 0u);

  // Making it resident again changes nothing.
  ASSERT_TRUE(dev->makeResident({{"w", "w.next"}}, err)) << err;
  ASSERT_TRUE(dev->run(err)) << err;
  ASSERT_TRUE(dev->readResident("w", now.data(), 16, err)) << err;
  EXPECT_EQ(now, (std::vector<float>{41, 82, 123, 164}));
}

TEST(SimResident, ValueSetBeforeMakeResidentIsKept) {
  plan::LoadedPlan p = load(accumulate());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::string err;
  std::vector<float> w = {1, 2, 3, 4}, x = {1, 1, 1, 1};
  ASSERT_TRUE(dev->setInput("w", DType::F32, {4}, w.data(), 16, err)) << err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {4}, x.data(), 16, err)) << err;
  ASSERT_TRUE(dev->makeResident({{"w", "w.next"}}, err)) << err;
  ASSERT_TRUE(dev->run(err)) << err;
  std::vector<float> now(4);
  ASSERT_TRUE(dev->readResident("w", now.data(), 16, err)) << err;
  EXPECT_EQ(now, (std::vector<float>{2, 3, 4, 5}));
}

TEST(SimResident, BadPairsAreErrors) {
  plan::LoadedPlan p = load(accumulate());
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  std::string err;
  EXPECT_FALSE(dev->makeResident({{"w", "nope"}}, err));
  EXPECT_EQ(err, "cannot keep 'w' resident: the plan has no output 'nope'");
  EXPECT_FALSE(dev->makeResident({{"v", "w.next"}}, err));
  EXPECT_EQ(err, "cannot keep 'v' resident: the plan has no input 'v'");
  EXPECT_FALSE(dev->makeResident({{"w", "wrong"}}, err));
  EXPECT_EQ(err, "cannot keep input w: f32[4] resident: its update wrong: "
                 "f32[2] differs in dtype or shape");
  float buf[4];
  EXPECT_FALSE(dev->readResident("w", buf, 16, err));
  EXPECT_EQ(err, "'w' is not a resident input");
  ASSERT_TRUE(dev->makeResident({{"w", "w.next"}}, err)) << err;
  EXPECT_FALSE(dev->readResident("w", buf, 8, err));
  EXPECT_EQ(err, "resident input 'w' has 16 bytes, not 8");
  EXPECT_FALSE(dev->makeResident({{"x", "w.next"}}, err));
  EXPECT_EQ(err, "cannot keep 'x' resident: the resident set is fixed by the "
                 "first makeResident");
}

} // namespace
