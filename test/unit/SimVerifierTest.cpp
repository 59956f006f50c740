//===- SimVerifierTest.cpp - Verifier errors for tile programs ------------===//

#include "SimTestBuilder.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

std::string loadError(TB &b, DeviceSpec dev = {}) {
  plan::LoadedPlan p;
  std::string err;
  if (plan::loadPlanBuffer(b.finish(dev), p, err))
    return "";
  return err;
}

#define EXPECT_ERROR(b, text)                                                  \
  do {                                                                         \
    std::string e = loadError(b);                                              \
    EXPECT_NE(e.find(text), std::string::npos) << "error was: " << e;          \
  } while (0)

TEST(SimVerifier, AcceptsAndPrintsValidPlan) {
  TB b;
  uint32_t x = b.addInput("x", {4});
  uint32_t y = b.addOutput("y", {4});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(y, 1, 4, 0);
  b.add(TB::hostWrite("x", x));
  b.add(TB::repeat(2, {TB::exchange("mv", {{{x, {0}, {4}}, {y, {0}, {4}}}})}));
  b.add(TB::computeSet("f", "loc", {{1, {{y, {1}, {2}}}, fillCodelet(0, 1)}}));
  b.add(TB::hostRead("y", y));
  plan::LoadedPlan p;
  std::string err;
  ASSERT_TRUE(plan::loadPlanBuffer(b.finish(), p, err)) << err;
  std::string s = plan::printPlan(p.plan());
  EXPECT_NE(s.find("tile_program"), std::string::npos) << s;
  EXPECT_NE(s.find("mapping %0: tile 0 [0, 4) @0"), std::string::npos) << s;
  EXPECT_NE(s.find("repeat 2 {"), std::string::npos) << s;
  EXPECT_NE(s.find("copy %1[0:4] = %0[0:4]"), std::string::npos) << s;
  EXPECT_NE(s.find("vertex 0 tile 1"), std::string::npos) << s;
  EXPECT_NE(s.find("operand 0 = %1[1:3]"), std::string::npos) << s;
  EXPECT_NE(s.find("fill %0 = 1"), std::string::npos) << s;
  EXPECT_NE(s.find("host_write %0 = input \"x\""), std::string::npos) << s;
}

TEST(SimVerifier, MappingErrors) {
  {
    TB b;
    uint32_t x = b.addF32("x", {8});
    b.map(x, {TileInterval(0, 0, 4, 0), TileInterval(1, 3, 8, 0)});
    EXPECT_ERROR(b, "element 3 is mapped more than once");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {8});
    b.map(x, {TileInterval(0, 0, 4, 0)});
    EXPECT_ERROR(b, "element 4 is not mapped");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {8});
    b.mapOn(x, 9, 8, 0);
    EXPECT_ERROR(b, "mapped to tile 9, but the device has 4 tiles");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {8});
    b.map(x, {TileInterval(0, 0, 4, 0), TileInterval(0, 4, 8, 8)});
    EXPECT_ERROR(b, "overlap in the memory of tile 0");
  }
  {
    TB b;
    b.addInput("x", {8});
    EXPECT_ERROR(b, "input 'x' is bound to tensor %0 'x', which has no tile");
  }
}

// Context strings are only formatted for the vertex or copy that fails (the
// checks run quietly first); the message must still name it in full, and a
// valid vertex or copy before it must not leave an error behind.
TEST(SimVerifier, ErrorContextAfterValidItems) {
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    b.mapOn(x, 0, 4, 0);
    VertexSpec ok{
        0, {{x, {0}, {4}}, {x, {0}, {4}}, {x, {0}, {4}}}, addCodelet(4)};
    VertexSpec bad{
        0, {{x, {0}, {4}}, {x, {2}, {4}}, {x, {0}, {4}}}, addCodelet(4)};
    b.add(TB::computeSet("cs", "here", {ok, ok, bad}));
    EXPECT_ERROR(b, "compute set 'cs' at here: vertex 2: operand 1: box "
                    "[2, 6) of dimension 0 is outside tensor %0 'x'");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    uint32_t y = b.addF32("y", {4});
    b.mapOn(x, 0, 4, 0);
    b.mapOn(y, 0, 4, 16);
    b.add(TB::exchange(
        "e", {{{x, {0}, {4}}, {y, {0}, {4}}}, {{x, {0}, {4}}, {y, {0}, {3}}}}));
    EXPECT_ERROR(b, ": copy 1: copies 4 elements into a box of 3");
  }
}

TEST(SimVerifier, StepErrors) {
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    b.mapOn(x, 0, 4, 0);
    b.add(TB::exchange("e", {{{x, {0}, {4}}, {x, {2}, {4}}}}));
    EXPECT_ERROR(b, "box [2, 6) of dimension 0 is outside tensor %0 'x'");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    uint32_t y = b.addF32("y", {4});
    b.mapOn(x, 0, 4, 0);
    b.mapOn(y, 0, 4, 16);
    b.add(TB::exchange("e", {{{x, {0}, {4}}, {y, {0}, {3}}}}));
    EXPECT_ERROR(b, "copies 4 elements into a box of 3");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    uint32_t z = b.addF32("unmapped", {4});
    b.mapOn(x, 0, 4, 0);
    b.add(TB::exchange("e", {{{x, {0}, {4}}, {z, {0}, {4}}}}));
    EXPECT_ERROR(b, "tensor %1 'unmapped' has no tile mapping");
  }
  {
    // Codelet refers to operand 3 of a vertex with 3 operands.
    TB b;
    uint32_t x = b.addF32("x", {4});
    b.mapOn(x, 0, 4, 0);
    b.add(TB::computeSet("cs", "here",
                         {{0,
                           {{x, {0}, {4}}, {x, {0}, {4}}, {x, {0}, {4}}},
                           addCodelet(4, 0, 3, 2)}}));
    EXPECT_ERROR(b, "compute set 'cs' at here: vertex 0: input 1 refers to "
                    "operand %3, but there are 3 operands");
  }
  {
    // Geometry inconsistent with the operand boxes.
    TB b;
    uint32_t x = b.addF32("x", {4});
    b.mapOn(x, 0, 4, 0);
    b.add(TB::computeSet(
        "cs", "here",
        {{0, {{x, {0}, {2}}, {x, {0}, {4}}, {x, {0}, {4}}}, addCodelet(4)}}));
    EXPECT_ERROR(b,
                 "input 0 reaches elements [0, 3] of operand %0, which has 2");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    uint32_t y = b.addF32("y", {2, 2});
    b.mapOn(x, 0, 4, 0);
    b.mapOn(y, 0, 4, 16);
    b.add(TB::computeSet("mm", "here",
                         {{0,
                           {{x, {0}, {4}}, {x, {0}, {4}}, {y, {0, 0}, {2, 2}}},
                           matmulCodelet(0, 1, -1, 2, 2, 1, 2)}}));
    EXPECT_ERROR(b, "matmul writes 2 result elements");
    // The span checks pass (2 <= 4); the exact-fill check does not.
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    b.mapOn(x, 7, 4, 0);
    EXPECT_ERROR(b, "tile 7");
  }
  {
    TB b;
    uint32_t x = b.addF32("x", {4});
    b.mapOn(x, 0, 4, 0);
    TB::StepFn s =
        TB::computeSet("f", "l", {{0, {{x, {0}, {4}}}, fillCodelet(0, 0)}});
    for (int i = 0; i < 20; ++i)
      s = TB::repeat(1, {s});
    b.add(s);
    EXPECT_ERROR(b, "repeat loops nest deeper than 16");
  }
  {
    TB b;
    uint32_t x = b.addInput("x", {4});
    b.mapOn(x, 0, 4, 0);
    b.add(TB::hostWrite("nope", x));
    EXPECT_ERROR(b, "the plan has no input named 'nope'");
  }
}

// The verifier checks a shared codelet table once per operand scope
// (SemanticVerifier::passedBodies): a vertex whose operands make the shared
// codelet invalid must still be rejected, and named, after other vertices
// passed with the same table.
TEST(SimVerifier, SharedCodeletCheckedForEachScope) {
  auto build = [](bool constantOutput, int64_t outSize) {
    TB b;
    uint32_t x = b.addF32("x", {4}), y = b.addF32("y", {4});
    uint32_t z = b.addF32("z", {8});
    uint32_t k = b.addConstant("k", {4}, {1, 2, 3, 4});
    b.mapOn(x, 0, 4, 0);
    b.mapOn(y, 0, 4, 16);
    b.mapOn(z, 0, 8, 32);
    b.mapOn(k, 0, 4, 64);
    uint32_t second = constantOutput ? k : z;
    b.add(TB::computeSetSharing(
        "add", "loc", addCodelet(4),
        {{0, {{x, {0}, {4}}, {y, {0}, {4}}, {z, {0}, {4}}}, {}},
         {0, {{x, {0}, {4}}, {y, {0}, {4}}, {z, {4}, {4}}}, {}},
         {0, {{x, {0}, {4}}, {y, {0}, {4}}, {second, {0}, {outSize}}}, {}}}));
    return b;
  };
  {
    TB b = build(false, 4);
    EXPECT_EQ(loadError(b), "");
  }
  {
    TB b = build(false, 3);
    EXPECT_ERROR(b, "compute set 'add' at loc: vertex 2: output 0 reaches "
                    "elements [0, 3] of operand %2, which has 3");
  }
  {
    TB b = build(true, 4);
    EXPECT_ERROR(b, "compute set 'add' at loc: vertex 2: writes constant "
                    "operand %2");
  }
}

} // namespace
