//===- SimRerunTest.cpp - Rerun steps: semantics and verifier errors ------===//
//
// A Rerun (plan.fbs) runs an earlier compute set or exchange again over
// renamed tensors of the same layout. The plan below doubles x into q, moves
// q to r (which has p's layout), and reruns the doubling as r -> s (s has
// q's layout): y1 must be 2x and y2 4x, which a simulator that ignored the
// rerun or ran it over the old tensors' values would not give. A fill of
// another tile comes first, so that the doubling is not the first body
// decoded (a rerun left with a default body would run the fill). The
// verifier tests break one rule of a rerun each.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using TB = TilePlanBuilder;

namespace {

constexpr int64_t kN = 4;

/// The rerun's fields, each test breaking one.
struct RerunSpec {
  uint32_t step = 3;
  std::vector<uint32_t> from{1, 2}, to{3, 4};
  uint64_t rAddress = 64;
  plan::TensorRole sRole = plan::TensorRole::Output;
};

TB doublingTwice(const RerunSpec &spec = {}) {
  TB b;
  uint32_t x = b.addInput("x", {kN});
  uint32_t p = b.addF32("p", {kN});
  uint32_t q = b.addOutput("y1", {kN});
  uint32_t r = b.addF32("r", {kN});
  uint32_t s = spec.sRole == plan::TensorRole::Output ? b.addOutput("y2", {kN})
                                                      : b.addF32("s", {kN});
  b.mapOn(x, 0, kN, 0);
  b.mapOn(p, 0, kN, 64);
  b.mapOn(q, 0, kN, 128);
  b.mapOn(r, 0, kN, spec.rAddress);
  b.mapOn(s, 0, kN, 128);
  uint32_t z = b.addF32("z", {kN});
  b.mapOn(z, 1, kN, 0);
  // Pre-order steps: 0 write, 1 fill, 2 load, 3 add, 4 read, 5 move,
  // 6 rerun, 7 read.
  b.add(TB::hostWrite("x", x));
  b.add(TB::computeSet("fill", "fill.loc",
                       {{1, {{z, {0}, {kN}}}, fillCodelet(0, 7)}}));
  b.add(TB::exchange("load", {{{x, {0}, {kN}}, {p, {0}, {kN}}}}));
  b.add(TB::computeSet("add", "add.loc",
                       {{0,
                         {{p, {0}, {kN}}, {p, {0}, {kN}}, {q, {0}, {kN}}},
                         addCodelet(kN),
                         double(kN)}}));
  b.add(TB::hostRead("y1", q));
  b.add(TB::exchange("move", {{{q, {0}, {kN}}, {r, {0}, {kN}}}}));
  b.add(TB::rerun("add.again", spec.step, spec.from, spec.to));
  if (spec.sRole == plan::TensorRole::Output)
    b.add(TB::hostRead("y2", s));
  return b;
}

std::string loadError(TB b) {
  plan::LoadedPlan p;
  std::string err;
  if (plan::loadPlanBuffer(b.finish(), p, err))
    return "";
  return err;
}

TEST(SimRerun, RunsTheEarlierStepOverTheRenamedTensors) {
  plan::LoadedPlan lp = load(doublingTwice().finish());
  auto dev = makeSim(lp);
  ASSERT_TRUE(dev);
  std::vector<float> xv{1, -2, 3.5f, 10};
  std::string err;
  ASSERT_TRUE(dev->setInput("x", DType::F32, {kN}, xv.data(), 4 * kN, err))
      << err;
  ASSERT_TRUE(dev->run(err)) << err;
  EXPECT_EQ(output(*dev, "y1", kN), (std::vector<float>{2, -4, 7, 20}));
  EXPECT_EQ(output(*dev, "y2", kN), (std::vector<float>{4, -8, 14, 40}));
  // The rerun has a profile entry of its own, with the target's cost.
  const sim::StepProfile *add = nullptr, *again = nullptr;
  for (const sim::StepProfile &s : dev->steps()) {
    if (s.name == "add")
      add = &s;
    if (s.name == "add.again")
      again = &s;
  }
  ASSERT_TRUE(add && again);
  EXPECT_EQ(again->kind, "compute");
  EXPECT_EQ(again->loc, "add.again.loc");
  EXPECT_EQ(again->executions, 1u);
  EXPECT_GT(add->computeCycles, 0u);
  EXPECT_EQ(again->computeCycles, add->computeCycles);
  EXPECT_EQ(again->flops, add->flops);
}

TEST(SimRerun, ThePrinterShowsTheRenames) {
  plan::LoadedPlan lp = load(doublingTwice().finish());
  std::string s = plan::printPlan(lp.plan());
  EXPECT_NE(s.find("rerun \"add.again\" loc(\"add.again.loc\") of step 3 "
                   "{%1 -> %3, %2 -> %4}"),
            std::string::npos)
      << s;
}

/// The plan of `spec` fails to load with an error containing `text`.
void expectError(const RerunSpec &spec, const std::string &text) {
  std::string e = loadError(doublingTwice(spec));
  EXPECT_NE(e.find(text), std::string::npos) << "error was: " << e;
}

TEST(SimRerun, VerifierErrors) {
  RerunSpec later;
  later.step = 7;
  expectError(later, "reruns step 7, which does not come before it (step 6");

  RerunSpec stream;
  stream.step = 0;
  expectError(stream, "step 6 (rerun 'add.again' at add.again.loc): reruns "
                      "step 0, which is not a compute set or an exchange");

  RerunSpec counts;
  counts.to = {3};
  expectError(counts, "renames 2 tensors to 1");

  RerunSpec partial;
  partial.from = {1};
  partial.to = {3};
  expectError(partial, "renames tensors [1], but step 3 uses tensors [1, 2]");

  RerunSpec moved;
  moved.rAddress = 96;
  expectError(moved, "tensor %3 'r' stands for tensor %1 'p' of step 3, but "
                     "its tile mapping differs");

  RerunSpec role;
  role.sRole = plan::TensorRole::Intermediate;
  expectError(role, "tensor %4 's' stands for tensor %2 'y1' of step 3, but "
                    "its role differs");
}

} // namespace
