//===- SimSharedIntervalsTest.cpp - Mappings sharing one interval vector --===//
//
// ipuc writes one interval vector per distinct mapping and shares it among
// the tensors of that mapping (BspToPlan.cpp); the verifier checks such a
// vector once per tensor element count and size, and the simulator builds
// one layout per vector, element size and shape and copies it to the rest
// (Layouts.cpp). Below, z shares x's vector with x's shape (a copied
// layout) and y2 shares y1's with another shape (a layout of its own): the
// results, the tile footprints and a verifier error must be what separate
// vectors give.
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

/// Elements [0, 4) on tile 0 and [4, 8) on tile 1, both at `address`.
std::vector<TileInterval> halves(uint64_t address) {
  return {TileInterval(0, 0, 4, address), TileInterval(1, 4, 8, address)};
}

std::vector<uint8_t> doubledTwice(bool share) {
  TB b;
  uint32_t x = b.addInput("x", {8});
  uint32_t y1 = b.addOutput("y1", {8});
  uint32_t z = b.addF32("z", {8});
  uint32_t y2 = b.addOutput("y2", {2, 4});
  b.map(x, halves(0));
  b.map(y1, halves(64));
  if (share) {
    b.mapSharing(z, x);
    b.mapSharing(y2, y1);
  } else {
    b.map(z, halves(0));
    b.map(y2, halves(64));
  }
  b.add(TB::hostWrite("x", x));
  b.add(TB::computeSet(
      "double", "double.loc",
      {{0, {{x, {0}, {4}}, {x, {0}, {4}}, {y1, {0}, {4}}}, addCodelet(4)},
       {1, {{x, {4}, {4}}, {x, {4}, {4}}, {y1, {4}, {4}}}, addCodelet(4)}}));
  b.add(TB::hostRead("y1", y1));
  b.add(TB::exchange("carry", {{{y1, {0}, {8}}, {z, {0}, {8}}}}));
  b.add(TB::computeSet(
      "again", "again.loc",
      {{0, {{z, {0}, {4}}, {z, {0}, {4}}, {y2, {0, 0}, {1, 4}}}, addCodelet(4)},
       {1,
        {{z, {4}, {4}}, {z, {4}, {4}}, {y2, {1, 0}, {1, 4}}},
        addCodelet(4)}}));
  b.add(TB::hostRead("y2", y2));
  return b.finish();
}

TEST(SimSharedIntervals, LayoutsOfASharedVectorComputeAsSeparateOnes) {
  std::vector<float> xv{1, 2, 3, 4, -5, 6.5f, 7, 8};
  for (bool share : {false, true}) {
    plan::LoadedPlan lp = load(doubledTwice(share));
    auto dev = makeSim(lp);
    ASSERT_TRUE(dev);
    std::string err;
    ASSERT_TRUE(dev->setInput("x", DType::F32, {8}, xv.data(), 32, err)) << err;
    ASSERT_TRUE(dev->run(err)) << err;
    std::vector<float> twice, four;
    for (float v : xv) {
      twice.push_back(2 * v);
      four.push_back(4 * v);
    }
    EXPECT_EQ(output(*dev, "y1", 8), twice) << "share " << share;
    EXPECT_EQ(output(*dev, "y2", 8), four) << "share " << share;
    // x and z take bytes [0, 16), y1 and y2 [64, 80) of each tile.
    ASSERT_GE(dev->tileMemoryBytes().size(), 2u);
    EXPECT_EQ(dev->tileMemoryBytes()[0], 32u) << "share " << share;
    EXPECT_EQ(dev->tileMemoryBytes()[1], 32u) << "share " << share;
  }
}

TEST(SimSharedIntervals, EachTensorOfASharedVectorIsChecked) {
  // b has 4 elements: the vector that maps a's 8 does not fit it, though it
  // passed for a.
  TB b;
  uint32_t a = b.addF32("a", {8});
  uint32_t small = b.addF32("b", {4});
  b.map(a, halves(0));
  b.mapSharing(small, a);
  plan::LoadedPlan p;
  std::string err;
  EXPECT_FALSE(plan::loadPlanBuffer(b.finish(), p, err));
  EXPECT_NE(err.find("tile mapping 1: interval [4, 8) of tensor %1 'b' is "
                     "not inside its 4 elements"),
            std::string::npos)
      << err;
}

} // namespace
