//===- HostDeviceTest.cpp - End to end on hand-built plans ----------------===//

#include "PlanTestBuilder.h"
#include "ipuc/host/HostDevice.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::Opcode;

namespace {

// out = sum_k relu(x @ w + b)[:, k] ... built from Copy, MatMul, Generic,
// Fill: h = x @ w; y = relu(h + bias); s = rowsum(y) (init from a fill).
plan::LoadedPlan mlpPlan() {
  PlanTestBuilder b;
  uint32_t x = b.addInput("x", DType::F32, {2, 3});
  uint32_t w = b.addConstant<float>("w", DType::F32, {3, 2}, {1, 0, 0, 1, 1, 1});
  uint32_t bias = b.addConstant<float>("bias", DType::F32, {2}, {0.5f, -10});
  uint32_t h = b.addTensor("h", DType::F32, {2, 2});
  uint32_t y = b.addOutput("y", DType::F32, {2, 2});
  uint32_t zero = b.addTensor("zero", DType::F32, {2});
  uint32_t s = b.addOutput("model/sum", DType::F32, {2});
  b.addMatMul(x, w, -1, h, 1, 2, 2, 3, false, false, 0, 0, "mm");
  GenericSpec relu;
  relu.bounds = {2, 2};
  relu.reductionDims = {0, 0};
  relu.inputs = {{h, 0, {2, 1}}, {bias, 0, {0, 1}}};
  relu.outputs = {{y, 0, {2, 1}}};
  relu.inits = {-1};
  relu.program = {instr(Opcode::AddF, DType::F32, 3, 0, 1), instr(Opcode::ConstF, DType::F32, 4),
                  instr(Opcode::MaxF, DType::F32, 5, 3, 4), instr(Opcode::Yield, DType::F32, 0, 0, 5)};
  b.addGeneric(relu, "relu");
  b.addFill(zero, 0.0, 0);
  GenericSpec sum;
  sum.bounds = {2, 2};
  sum.reductionDims = {0, 1};
  sum.inputs = {{y, 0, {2, 1}}};
  sum.outputs = {{s, 0, {1, 0}}};
  sum.inits = {int32_t(zero)};
  sum.program = {instr(Opcode::AddF, DType::F32, 2, 0, 1), instr(Opcode::Yield, DType::F32, 0, 0, 2)};
  b.addGeneric(sum, "sum");
  plan::LoadedPlan p;
  std::string err;
  EXPECT_TRUE(plan::loadPlanBuffer(b.finish(), p, err)) << err;
  return p;
}

TEST(HostDevice, RunsSmallPlan) {
  plan::LoadedPlan p = mlpPlan();
  host::HostDevice dev(p);
  std::vector<float> x = {1, 2, 3, -1, -2, -3};
  std::string err;
  ASSERT_TRUE(dev.setInput("x", DType::F32, {2, 3}, x.data(), 24, err)) << err;
  ASSERT_TRUE(dev.run(err)) << err;
  // h = [[4, 5], [-4, -5]]; y = relu(h + [0.5, -10]) = [[4.5, 0], [0, 0]].
  const float *y = static_cast<const float *>(dev.outputData("y"));
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{4.5, 0, 0, 0}));
  const float *s = static_cast<const float *>(dev.outputData("model/sum"));
  EXPECT_EQ(s[0], 4.5f);
  EXPECT_EQ(s[1], 0.0f);
  // Running twice gives the same result (accumulators restart from init).
  ASSERT_TRUE(dev.run(err)) << err;
  EXPECT_EQ(s[0], 4.5f);
}

TEST(HostDevice, InputErrorsListExpectedInputs) {
  plan::LoadedPlan p = mlpPlan();
  host::HostDevice dev(p);
  std::vector<float> x(6);
  std::string err;
  EXPECT_FALSE(dev.run(err));
  EXPECT_NE(err.find("missing input x"), std::string::npos) << err;
  EXPECT_NE(err.find("x: f32[2x3]"), std::string::npos) << err;
  EXPECT_FALSE(dev.setInput("z", DType::F32, {2, 3}, x.data(), 24, err));
  EXPECT_NE(err.find("no input named 'z'"), std::string::npos) << err;
  EXPECT_NE(err.find("x: f32[2x3]"), std::string::npos) << err;
  EXPECT_FALSE(dev.setInput("x", DType::F32, {3, 2}, x.data(), 24, err));
  EXPECT_NE(err.find("f32[3x2] but the plan expects f32[2x3]"), std::string::npos) << err;
  EXPECT_FALSE(dev.setInput("x", DType::F64, {2, 3}, x.data(), 48, err));
  EXPECT_NE(err.find("f64[2x3]"), std::string::npos) << err;
}

TEST(HostDevice, KernelErrorsNameTheLocation) {
  PlanTestBuilder b;
  uint32_t idx = b.addInput("idx", DType::I64, {1});
  uint32_t table = b.addConstant<float>("t", DType::F32, {2}, {1, 2});
  uint32_t out = b.addOutput("o", DType::F32, {1});
  GenericSpec g;
  g.bounds = {1};
  g.inputs = {{idx, 0, {1}}};
  g.outputs = {{out, 0, {1}}};
  g.captured = {table};
  g.program = {instr(Opcode::Extract, DType::F32, 2, 0, 0, 1),
               instr(Opcode::Yield, DType::F32, 0, 0, 2)};
  b.addGeneric(g, "model.onnx:node 'gather1' (Gather)");
  plan::LoadedPlan p;
  std::string err;
  ASSERT_TRUE(plan::loadPlanBuffer(b.finish(), p, err)) << err;
  host::HostDevice dev(p);
  int64_t i = 5;
  ASSERT_TRUE(dev.setInput("idx", DType::I64, {1}, &i, 8, err));
  EXPECT_FALSE(dev.run(err));
  EXPECT_NE(err.find("gather1"), std::string::npos) << err;
  EXPECT_NE(err.find("out of range"), std::string::npos) << err;
}

} // namespace

namespace {
// Also leaves the plan at /tmp/ipuc-unit-mlp.ipuplan for trying ipu-run.
TEST(HostDevice, LoadsPlanFile) {
  plan::LoadedPlan p = mlpPlan();
  std::string path = "/tmp/ipuc-unit-mlp.ipuplan", err;
  std::FILE *f = std::fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  std::fwrite(p.data(), 1, p.size(), f);
  std::fclose(f);
  plan::LoadedPlan q;
  ASSERT_TRUE(plan::loadPlanFile(path, q, err)) << err;
  EXPECT_EQ(plan::printPlan(q.plan()), plan::printPlan(p.plan()));
}
} // namespace
