//===- SimCostModelTest.cpp - The cost model against DESIGN.md figures ----===//

#include "ipuc/sim/CostModel.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::sim;

namespace {

TEST(SimCostModel, PeaksMatchPublishedFigures) {
  DeviceModel d = DeviceModel::gc200();
  // GC200: 62.5 TFLOPS FP32 published; 1472 x 32 x 1.325 GHz = 62.4e12.
  EXPECT_NEAR(d.peakFp32FlopsPerSecond(), 62.4e12, 0.1e12);
  EXPECT_NEAR(d.totalTiles() * d.fp16MatmulFlopsPerCycle * d.clockHz, 249.6e12,
              0.1e12);
  // About 8 TB/s of exchange: 1472 x 4 B x 1.325 GHz = 7.8e12.
  EXPECT_NEAR(d.totalTiles() * d.exchangeBytesPerCycle * d.clockHz, 7.8e12,
              0.05e12);
  DeviceModel g = DeviceModel::gc2();
  EXPECT_EQ(g.totalTiles(), 1216u);
  EXPECT_EQ(g.sramBytesPerTile, 256u * 1024);
}

TEST(SimCostModel, VertexAndPhaseCycles) {
  DeviceModel d;
  EXPECT_DOUBLE_EQ(matMulFlops(1, 4, 4, 2), 64);
  EXPECT_DOUBLE_EQ(matMulWorkCycles(d, plan::DType::F32, 64), 2);
  EXPECT_DOUBLE_EQ(matMulWorkCycles(d, plan::DType::F16, 256), 2);
  EXPECT_DOUBLE_EQ(conv2DFlops(1, 2, 2, 3, 3, 3, 4, 2), 2.0 * 4 * 3 * 9 * 2);
  // f32: 2 lanes, f16: 4, f64: 1.
  EXPECT_DOUBLE_EQ(elementwiseLanes(d, 4), 2);
  EXPECT_DOUBLE_EQ(elementwiseLanes(d, 2), 4);
  EXPECT_DOUBLE_EQ(elementwiseLanes(d, 8), 1);
  EXPECT_DOUBLE_EQ(genericWorkCycles(d, 100, 3, 4), 150);
  plan::Instr prog[] = {plan::Instr(plan::Opcode::ConstF, plan::DType::F32,
                                    plan::DType::F32, 2, 0, 0, 0, 0, 1.0),
                        plan::Instr(plan::Opcode::Exp, plan::DType::F32,
                                    plan::DType::F32, 3, 0, 0, 0, 0, 0),
                        plan::Instr(plan::Opcode::AddF, plan::DType::F32,
                                    plan::DType::F32, 4, 3, 2, 0, 0, 0),
                        plan::Instr(plan::Opcode::Yield, plan::DType::F32,
                                    plan::DType::F32, 0, 0, 4, 0, 0, 0)};
  EXPECT_DOUBLE_EQ(genericWeightPerIteration(prog, 4),
                   kTranscendentalWeight + 1);
  EXPECT_DOUBLE_EQ(genericWeightPerIteration(prog, 0), 1);
  EXPECT_DOUBLE_EQ(copyWorkCycles(64), 8);
  // Overheads overlap across the 6 workers: 7 vertices = 2 rounds.
  EXPECT_EQ(tileComputeCycles(d, std::vector<double>(7, 10.0)), 70u + 100);
  EXPECT_EQ(tileComputeCycles(d, std::vector<double>{}), 0u);
  EXPECT_EQ(tileComputeCycles(d, 0.5, 1), 51u);
  EXPECT_DOUBLE_EQ(tileExchangeCycles(d, 400, 100), 100);
  EXPECT_EQ(exchangePhaseCycles(d, 100), 132u);
  EXPECT_EQ(exchangePhaseCycles(d, 0), 0u);
  EXPECT_EQ(superstepCycles(d, 1000, 132), 1000u + 150 + 132);
  // Chip links: 10 x 128 Gbit/s x 0.85 / 1.325 GHz = 102.6 B/cycle per chip.
  EXPECT_NEAR(d.chipLinkBytesPerCycle(), 102.64, 0.01);
  EXPECT_EQ(exchangePhaseCycles(d, 1, 102641), 1000u + 32);
}

} // namespace
