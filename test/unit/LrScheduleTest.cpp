//===- LrScheduleTest.cpp - lr schedule formulas against torch -----------===//
//
// The expected rates are torch.optim.lr_scheduler's (torch 2, SGD lr=0.1,
// param_groups[0]["lr"] before each optimizer step), printed by a script
// with StepLR, CosineAnnealingLR, LinearLR and a LambdaLR(t / N) warm-up
// chained by SequentialLR.
//
//===----------------------------------------------------------------------===//

#include "ipuc/train/LrSchedule.h"

#include <gtest/gtest.h>

#include <vector>

using namespace ipuc::train;

namespace {

LrSchedule make(const char *kind) {
  LrSchedule s;
  s.kind = kind;
  s.lr = 0.1;
  return s;
}

void expectRates(const LrSchedule &s, const std::vector<double> &torch) {
  std::string error;
  ASSERT_TRUE(validate(s, error)) << error;
  for (size_t t = 0; t < torch.size(); ++t)
    EXPECT_NEAR(learningRate(s, int64_t(t)), torch[t], 1e-12) << "step " << t;
}

TEST(LrSchedule, Constant) { expectRates(make("constant"), {0.1, 0.1, 0.1}); }

TEST(LrSchedule, Step) {
  LrSchedule s = make("step");
  s.stepSize = 3;
  s.gamma = 0.5;
  expectRates(s,
              {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125});
}

TEST(LrSchedule, WarmupThenStep) {
  LrSchedule s = make("step");
  s.warmup = 2;
  s.stepSize = 3;
  s.gamma = 0.5;
  expectRates(s, {0.0, 0.05, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025});
}

TEST(LrSchedule, CosineFollowsTheCurvePastTMax) {
  LrSchedule s = make("cosine");
  s.lrMin = 0.01;
  s.totalSteps = 8;
  expectRates(s,
              {0.1, 0.0965745789630079, 0.08681980515339463,
               0.07222075445642905, 0.055, 0.03777924554357096,
               0.023180194846605363, 0.013425421036992097, 0.01,
               0.013425421036992097, 0.02318019484660537, 0.03777924554357097});
}

TEST(LrSchedule, WarmupThenCosine) {
  LrSchedule s = make("cosine");
  s.warmup = 3;
  s.lrMin = 0.01;
  s.totalSteps = 10; // T_max = 7
  expectRates(s, {0.0, 0.03333333333333333, 0.06666666666666667, 0.1,
                  0.09554359905560886, 0.08305704108364301, 0.06501344202803415,
                  0.04498655797196586, 0.026942958916356993,
                  0.014456400944391143});
}

TEST(LrSchedule, LinearHoldsItsEndValue) {
  LrSchedule s = make("linear");
  s.lrMin = 0.025;
  s.totalSteps = 6;
  expectRates(s,
              {0.1, 0.0875, 0.075, 0.0625, 0.05, 0.0375, 0.025, 0.025, 0.025});
}

TEST(LrSchedule, RejectsBadParameters) {
  std::string error;
  EXPECT_FALSE(validate(make("exponential"), error));
  EXPECT_NE(error.find("unknown --lr-schedule 'exponential'"),
            std::string::npos);
  LrSchedule cosine = make("cosine");
  cosine.warmup = 5;
  cosine.totalSteps = 5;
  EXPECT_FALSE(validate(cosine, error));
  EXPECT_NE(error.find("--total-steps greater than --warmup (5)"),
            std::string::npos);
  LrSchedule step = make("step");
  step.stepSize = 0;
  EXPECT_FALSE(validate(step, error));
  LrSchedule warm = make("constant");
  warm.warmup = -1;
  EXPECT_FALSE(validate(warm, error));
}

} // namespace
