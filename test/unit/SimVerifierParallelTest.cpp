//===- SimVerifierParallelTest.cpp - Verifier errors of big tile programs -===//
//
// A tile program with enough records (compute set vertices, exchange copies,
// mapping intervals) is checked on several threads. The error reported
// must still be the one a check of one item after the other gives: the
// first failing mapping, and the first failing step in program order, with
// a host stream or repeat error after the compute sets before it and ahead
// of those after it. The plans here are big enough for the parallel path
// (more than 20000 records) and carry two errors each.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

std::string loadError(TB &b) {
  plan::LoadedPlan p;
  std::string err;
  if (plan::loadPlanBuffer(b.finish(), p, err))
    return "";
  return err;
}

constexpr int kSets = 30, kVertices = 1000; // 30000 vertices

/// `kSets` compute sets of fills of x; set s is "cs<s>". Vertex `badVertex`
/// of each set in `bad` fills a box outside x.
std::vector<TB::StepFn> computeSets(uint32_t x, std::vector<int> bad,
                                    int badVertex) {
  std::vector<TB::StepFn> steps;
  for (int s = 0; s < kSets; ++s) {
    std::vector<VertexSpec> vs;
    for (int v = 0; v < kVertices; ++v) {
      bool isBad =
          v == badVertex && std::find(bad.begin(), bad.end(), s) != bad.end();
      vs.push_back({0, {{x, {isBad ? 2 : 0}, {4}}}, fillCodelet(0, 1)});
    }
    steps.push_back(TB::computeSet("cs" + std::to_string(s), "here", vs));
  }
  return steps;
}

TEST(SimVerifierParallel, FirstFailingComputeSetIsReported) {
  TB b;
  uint32_t x = b.addF32("x", {4});
  b.mapOn(x, 0, 4, 0);
  for (auto &s : computeSets(x, {23, 7}, 900))
    b.add(s);
  std::string e = loadError(b);
  EXPECT_NE(e.find("compute set 'cs7' at here: vertex 900: operand 0: box "
                   "[2, 6) of dimension 0 is outside tensor %0 'x'"),
            std::string::npos)
      << e;
}

TEST(SimVerifierParallel, HostStreamErrorsKeepTheirPlace) {
  for (int streamAt : {3, 12}) {
    TB b;
    uint32_t x = b.addInput("x", {4});
    b.mapOn(x, 0, 4, 0);
    std::vector<TB::StepFn> sets = computeSets(x, {5}, 10);
    for (int s = 0; s < kSets; ++s) {
      if (s == streamAt)
        b.add(TB::hostWrite("nope", x));
      b.add(sets[s]);
    }
    std::string e = loadError(b);
    // Before the bad compute set, the stream's error; after it, the set's.
    const char *want = streamAt < 5 ? "the plan has no input named 'nope'"
                                    : "compute set 'cs5' at here: vertex 10";
    EXPECT_NE(e.find(want), std::string::npos)
        << "stream at " << streamAt << ": " << e;
  }
}

TEST(SimVerifierParallel, FirstFailingExchangeCopyIsReported) {
  TB b;
  uint32_t x = b.addF32("x", {4});
  uint32_t y = b.addF32("y", {4});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(y, 1, 4, 0);
  for (int e = 0; e < 30; ++e) {
    std::vector<std::pair<BoxSpec, BoxSpec>> copies(
        1000, {{x, {0}, {4}}, {y, {0}, {4}}});
    if (e == 9 || e == 20)
      copies[400] = {{x, {0}, {4}}, {y, {0}, {3}}};
    b.add(TB::exchange("ex" + std::to_string(e), copies));
  }
  std::string e = loadError(b);
  EXPECT_NE(e.find("exchange 'ex9' at ex9.loc: copy 400: copies 4 "
                   "elements into a box of 3"),
            std::string::npos)
      << e;
}

/// 250 tensors of 100 elements, each mapped in 100 one-element intervals on
/// tile 0 (25000 intervals), except that mapping `badInterval` maps
/// elements [50, 52) twice and mapping `badClaim` claims tensor 3.
std::string mappingError(int badInterval, int badClaim) {
  TB b;
  for (int t = 0; t < 250; ++t)
    b.addF32("t" + std::to_string(t), {100});
  for (int t = 0; t < 250; ++t) {
    std::vector<TileInterval> ivs;
    for (int i = 0; i < 100; ++i)
      ivs.push_back(TileInterval(0, i, i + 1, 4 * i));
    if (t == badInterval)
      ivs[50] = TileInterval(0, 50, 52, 200);
    b.map(t == badClaim ? 3 : t, ivs);
  }
  return loadError(b);
}

TEST(SimVerifierParallel, FirstFailingMappingIsReported) {
  // A bad interval before a bad claim, and the other way round.
  std::string e = mappingError(100, 200);
  EXPECT_NE(e.find("tile mapping 100: tensor %100 't100' element 51 is "
                   "mapped more than once"),
            std::string::npos)
      << e;
  e = mappingError(200, 100);
  EXPECT_NE(e.find("tile mapping 100: tensor %3 't3' is mapped twice"),
            std::string::npos)
      << e;
}

// The overlap check skips its sort when each tile's intervals, in element
// order, are also in address order; in any other order the sort decides.
TEST(SimVerifierParallel, IntervalsOutOfAddressOrder) {
  {
    TB b;
    uint32_t x = b.addF32("x", {8});
    b.map(x, {TileInterval(0, 0, 4, 16), TileInterval(1, 4, 6, 0),
              TileInterval(0, 6, 8, 0)});
    EXPECT_EQ(loadError(b), "");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {8});
    b.map(x, {TileInterval(0, 0, 4, 16), TileInterval(1, 4, 6, 0),
              TileInterval(0, 6, 8, 12)});
    std::string e = loadError(b);
    EXPECT_NE(e.find("intervals [6, 8) and [0, 4) of tensor %0 'x' overlap "
                     "in the memory of tile 0"),
              std::string::npos)
        << e;
  }
}

} // namespace
