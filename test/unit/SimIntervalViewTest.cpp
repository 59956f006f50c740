//===- SimIntervalViewTest.cpp - Layouts read the plan's intervals in place
//===//
//
// A mapping whose intervals are all non-empty and in element order (what the
// compiler writes) is not copied: its layout views the plan's TileInterval
// array through sim::Interval, which must lie exactly like it. Any other
// mapping is copied, sorted, without its empty intervals. Both kinds must
// then move the same bytes.
//
//===----------------------------------------------------------------------===//

#include "Program.h"
#include "SimTestBuilder.h"
#include "SimTestSupport.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

TEST(SimIntervalView, IntervalLiesLikeTileInterval) {
  // Values that fill each field's width, so a field read at the wrong
  // offset or with the wrong size shows.
  const TileInterval ivs[] = {
      TileInterval(7, 3, 11, 4096),
      TileInterval(0xfffffffeu, -5, INT64_MAX - 1, UINT64_MAX - 2),
      TileInterval(1, int64_t(1) << 40, (int64_t(1) << 40) + 3, 1ull << 50)};
  const auto *view = reinterpret_cast<const sim::Interval *>(ivs);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(view[i].tile, ivs[i].tile()) << i;
    EXPECT_EQ(view[i].begin, ivs[i].begin()) << i;
    EXPECT_EQ(view[i].end, ivs[i].end()) << i;
    EXPECT_EQ(view[i].address, ivs[i].address()) << i;
  }
  // And the other way: a sim::Interval's bytes read as a TileInterval.
  sim::Interval mine(12, 34, 5, 678);
  TileInterval theirs;
  std::memcpy(&theirs, &mine, sizeof mine);
  EXPECT_EQ(theirs.tile(), 5u);
  EXPECT_EQ(theirs.begin(), 12);
  EXPECT_EQ(theirs.end(), 34);
  EXPECT_EQ(theirs.address(), 678u);
}

/// x[4x4] row r on tile r, in element order; y[4x4] the same rows at other
/// addresses but listed backwards and with an empty interval among them;
/// one exchange copies x into y whole.
std::vector<uint8_t> copyPlan() {
  TB b;
  uint32_t x = b.addInput("x", {4, 4});
  uint32_t y = b.addOutput("y", {4, 4});
  std::vector<TileInterval> xs, ys;
  for (uint32_t t = 0; t < 4; ++t)
    xs.push_back(TileInterval(t, 4 * t, 4 * t + 4, 0));
  for (uint32_t t = 4; t-- > 0;) {
    ys.push_back(TileInterval(t, 4 * t, 4 * t + 4, 64));
    if (t == 2)
      ys.push_back(TileInterval(1, 9, 9, 200));
  }
  b.map(x, xs);
  b.map(y, ys);
  b.add(TB::exchange("copy", {{{x, {0, 0}, {4, 4}}, {y, {0, 0}, {4, 4}}}}));
  return b.finish({4, 4096});
}

TEST(SimIntervalView, InOrderMappingsAreViewedOthersCopied) {
  plan::LoadedPlan lp = load(copyPlan());
  const plan::Plan &p = lp.plan();
  sim::DeviceModel dev = sim::DeviceModel::fromPlan(p.device());
  std::vector<sim::TensorLayout> layouts;
  std::vector<uint64_t> tileBytes;
  std::unique_ptr<sim::TileMemory> memory;
  std::string err;
  ASSERT_TRUE(
      sim::buildLayouts(p, dev, layouts, tileBytes, memory, nullptr, err))
      << err;
  const uint8_t *begin = lp.data(), *end = lp.data() + lp.size();
  auto inPlan = [&](const sim::TensorLayout &l) {
    auto *d = reinterpret_cast<const uint8_t *>(l.intervals.data());
    return d >= begin && d < end;
  };
  const sim::TensorLayout &x = layouts[0], &y = layouts[1];
  EXPECT_TRUE(x.intervals.isView());
  EXPECT_TRUE(inPlan(x));
  EXPECT_FALSE(y.intervals.isView());
  EXPECT_FALSE(inPlan(y));
  ASSERT_EQ(x.intervals.size(), 4u);
  ASSERT_EQ(y.intervals.size(), 4u); // the empty interval is dropped
  for (uint32_t r = 0; r < 4; ++r) {
    EXPECT_EQ(x.intervals[r].tile, r);
    EXPECT_EQ(x.intervals[r].begin, 4 * r);
    EXPECT_EQ(x.intervals[r].address, 0u);
    EXPECT_EQ(y.intervals[r].tile, r);
    EXPECT_EQ(y.intervals[r].begin, 4 * r);
    EXPECT_EQ(y.intervals[r].end, 4 * r + 4);
    EXPECT_EQ(y.intervals[r].address, 64u);
  }
  // A copy of a layout views the same plan bytes, or copies its own array.
  sim::TensorLayout x2 = x, y2 = y;
  EXPECT_EQ(x2.intervals.data(), x.intervals.data());
  EXPECT_NE(y2.intervals.data(), y.intervals.data());
  EXPECT_EQ(y2.intervals[3].begin, 12);
  // Changing a view copies it first: the list reads the change, the plan
  // keeps its bytes.
  x2.intervals.own()[1].address = 96;
  EXPECT_FALSE(x2.intervals.isView());
  EXPECT_EQ(x2.intervals[1].address, 96u);
  EXPECT_EQ(x2.intervals.size(), 4u);
  EXPECT_EQ(x.intervals[1].address, 0u);
  x2.intervals.push_back({16, 20, 3, 128});
  EXPECT_EQ(x2.intervals.size(), 5u);
  EXPECT_EQ(x2.intervals[1].address, 96u);
  EXPECT_EQ(x2.intervals.back().begin, 16);
}

TEST(SimIntervalView, ViewedAndCopiedLayoutsMoveTheSameBytes) {
  plan::LoadedPlan lp = load(copyPlan());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> x = iota(16, 1);
  std::string err;
  ASSERT_TRUE(dev->setInput("x", plan::DType::F32, {4, 4}, x.data(),
                            x.size() * sizeof(float), err))
      << err;
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y", 16), x);
}

} // namespace
