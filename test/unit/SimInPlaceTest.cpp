//===- SimInPlaceTest.cpp - Prepared codelets and in-place operands -------===//
//
// The simulator prepares each distinct Generic codelet of a compute set once
// (runtime/sim/Codelet.h) and lets kernels use operands where they lie in
// tile memory, MatMul matrices through their row strides
// (runtime/sim/InPlaceOperands.cpp). Both must compute what packing every
// operand of every vertex afresh computes; these tests check the results
// against values computed here.
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

std::vector<float> ramp(size_t n, float scale, float shift) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = scale * static_cast<float>((i * 7) % 23) + shift;
  return v;
}

/// Output z of plan `p` run on a checked two-thread device with the 1-D f32
/// inputs x = xv and y = yv (empty, with a test failure, if it cannot run).
std::vector<float> runXY(const plan::LoadedPlan &p,
                         const std::vector<float> &xv,
                         const std::vector<float> &yv) {
  auto sim = makeSim(p);
  if (!sim)
    return {};
  std::string err;
  const int64_t nx = static_cast<int64_t>(xv.size());
  const int64_t ny = static_cast<int64_t>(yv.size());
  EXPECT_TRUE(sim->setInput("x", DType::F32, {nx}, xv.data(), 4 * nx, err))
      << err;
  EXPECT_TRUE(sim->setInput("y", DType::F32, {ny}, yv.data(), 4 * ny, err))
      << err;
  EXPECT_TRUE(sim->run(err)) << err;
  return output(*sim, "z", xv.size());
}

// One add codelet shared by vertices on three tiles, over 300 elements each
// (two streaming blocks), and by two vertices of one tile.
TEST(SimInPlace, SharedGenericCodeletOnEveryVertex) {
  constexpr int64_t n = 300;
  TB b;
  uint32_t x = b.addInput("x", {4 * n}), y = b.addInput("y", {4 * n});
  uint32_t z = b.addOutput("z", {4 * n});
  std::vector<TileInterval> xi, yi, zi;
  for (uint32_t t = 0; t < 3; ++t) {
    int64_t lo = t * n, hi = t == 2 ? 4 * n : (t + 1) * n;
    xi.emplace_back(t, lo, hi, 0);
    yi.emplace_back(t, lo, hi, 4096);
    zi.emplace_back(t, lo, hi, 8192);
  }
  b.map(x, xi);
  b.map(y, yi);
  b.map(z, zi);
  b.add(TB::hostWrite("x", x));
  b.add(TB::hostWrite("y", y));
  std::vector<VertexSpec> vs;
  for (int64_t v = 0; v < 4; ++v) {
    uint32_t tile = static_cast<uint32_t>(std::min<int64_t>(v, 2));
    vs.push_back(
        {tile, {{x, {v * n}, {n}}, {y, {v * n}, {n}}, {z, {v * n}, {n}}}, {}});
  }
  b.add(TB::computeSetSharing("add", "loc", addCodelet(n), vs));
  b.add(TB::hostRead("z", z));
  DeviceSpec dev;
  dev.sram = 16384;
  plan::LoadedPlan p = load(b.finish(dev));
  std::vector<float> xv = ramp(4 * n, 0.5f, -3), yv = ramp(4 * n, -0.25f, 1);
  std::vector<float> zv = runXY(p, xv, yv);
  ASSERT_EQ(zv.size(), size_t(4 * n));
  for (int64_t i = 0; i < 4 * n; ++i)
    ASSERT_EQ(zv[i], xv[i] + yv[i]) << i;
}

// Vertices of one compute set whose operands take turns among more
// distinct sizes than the decoder remembers per operand (it stores equal
// sizes once): each vertex must still see its own sizes. The kernel checks
// them: z[i] = y[i] reads y as a captured tensor, by index, against its
// shape, so a vertex handed a smaller vertex's sizes fails and a larger
// one's reads past its box.
TEST(SimInPlace, OperandSizesSharedAcrossVertices) {
  const std::vector<int64_t> sizes = {5, 9, 5, 13, 7, 3, 11, 5, 9, 2, 13, 6};
  int64_t total = 0;
  for (int64_t n : sizes)
    total += n;
  TB b;
  uint32_t x = b.addInput("x", {total}), y = b.addInput("y", {total});
  uint32_t z = b.addOutput("z", {total});
  b.map(x, {TileInterval(0, 0, total, 0)});
  b.map(y, {TileInterval(0, 0, total, 1024)});
  b.map(z, {TileInterval(0, 0, total, 2048)});
  b.add(TB::hostWrite("x", x));
  b.add(TB::hostWrite("y", y));
  std::vector<VertexSpec> vs;
  int64_t at = 0;
  for (int64_t n : sizes) {
    GenericSpec g;
    g.bounds = {n};
    g.inputs = {{0, 0, {1}}};
    g.outputs = {{2, 0, {1}}};
    g.captured = {1};
    // r2 = i; r3 = captured 0 at [r2]; yield r3.
    g.program = {instr(plan::Opcode::Index, DType::I64, 2, 0),
                 instr(plan::Opcode::Extract, DType::F32, 3, 0, 2, 1),
                 instr(plan::Opcode::Yield, DType::F32, 0, 0, 3)};
    vs.push_back({0,
                  {{x, {at}, {n}}, {y, {at}, {n}}, {z, {at}, {n}}},
                  genericCodelet(g)});
    at += n;
  }
  b.add(TB::computeSet("gather", "loc", vs));
  b.add(TB::hostRead("z", z));
  DeviceSpec dev;
  dev.sram = 4096;
  plan::LoadedPlan p = load(b.finish(dev));
  std::vector<float> xv = ramp(total, 0.5f, -3), yv = ramp(total, -0.25f, 1);
  std::vector<float> zv = runXY(p, xv, yv);
  ASSERT_EQ(zv.size(), size_t(total));
  for (int64_t i = 0; i < total; ++i)
    ASSERT_EQ(zv[i], yv[i]) << i;
}

/// C[8x16] = sum over three k blocks of A[:, 8j:8j+8] x B[8j:8j+8, :], with A
/// one 8x24 row-major matrix on tile 0: each A block is 8 rows 24 elements
/// apart, used in place by the GEMM (8 + 16 + 8 >= 20). With `overlap`, the
/// result is another block of A's own tensor, [0:8, 4:20], which overlaps
/// the block read: that one must stay packed (read before written).
void runBlockedMatMul(bool overlap) {
  constexpr int64_t m = 8, n = 16, k = 8, kb = 3;
  std::vector<float> av = ramp(m * k * kb, 0.125f, -1);
  std::vector<float> bv = ramp(k * kb * n, -0.0625f, 0.5f);
  TB b;
  uint32_t A = b.addInput("A", {m, k * kb});
  uint32_t B = b.addConstant("B", {k * kb, n}, bv);
  uint32_t C = b.addOutput("C", {m, n});
  b.mapOn(A, 0, m * k * kb, 0);
  b.mapOn(B, 0, k * kb * n, 1024);
  b.mapOn(C, 0, m * n, 3072);
  b.add(TB::hostWrite("A", A));
  std::vector<VertexSpec> vs;
  if (!overlap) {
    for (int64_t j = 0; j < kb; ++j)
      vs.push_back({0,
                    {{A, {0, j * k}, {m, k}},
                     {B, {j * k, 0}, {k, n}},
                     {C, {0, 0}, {m, n}}},
                    matmulCodelet(0, 1, j ? 2 : -1, 2, m, n, k)});
    b.add(TB::computeSet("mm", "loc", vs));
  } else {
    // A[:, 0:8] x B[0:8, :] written over A[:, 4:20].
    b.add(TB::computeSet(
        "mm", "loc",
        {{0,
          {{A, {0, 0}, {m, k}}, {B, {0, 0}, {k, n}}, {A, {0, 4}, {m, n}}},
          matmulCodelet(0, 1, -1, 2, m, n, k)}}));
    b.add(TB::exchange("copy", {{{A, {0, 4}, {m, n}}, {C, {0, 0}, {m, n}}}}));
  }
  b.add(TB::hostRead("C", C));
  DeviceSpec dev;
  dev.sram = 8192;
  plan::LoadedPlan p = load(b.finish(dev));
  auto sim = makeSim(p);
  ASSERT_TRUE(sim);
  std::string err;
  ASSERT_TRUE(sim->setInput("A", DType::F32, {m, k * kb}, av.data(),
                            av.size() * 4, err));
  ASSERT_TRUE(sim->run(err)) << err;
  std::vector<float> cv = output(*sim, "C", m * n);
  ASSERT_EQ(cv.size(), size_t(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t q = 0; q < (overlap ? k : k * kb); ++q)
        want += double(av[i * k * kb + q]) * bv[q * n + j];
      EXPECT_NEAR(cv[i * n + j], want, 1e-4) << i << "," << j;
    }
}

TEST(SimInPlace, MatMulRowBlocksInPlace) { runBlockedMatMul(false); }
TEST(SimInPlace, MatMulOverlappingResultStaysPacked) { runBlockedMatMul(true); }

} // namespace
