//===- SimStepMemoTest.cpp - Steps of equal content decoded once ----------===//
//
// The simulator decodes a step once per distinct content, with tensors
// compared by layout (runtime/sim/StepMemo.h). A plan of two identical
// "layers" over distinct tensors of equal layout, followed by near misses
// (one address, one box, one codelet field apart), must share exactly the
// identical steps, and compute what the same plan computes with sharing off,
// what a plain-loop reference computes and what the host device computes
// from the equivalent host plan, with the same cycles and exchange bytes.
//
//===----------------------------------------------------------------------===//

#include "PlanTestBuilder.h"
#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "ipuc/host/HostDevice.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

#include <memory>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

constexpr int64_t kRows = 4, kCols = 8, kN = kRows * kCols;

/// Row r of a [4x8] tensor lives on tile r, at `address` (or, on
/// `otherTile`, at `otherAddress`).
std::vector<TileInterval> rows(uint64_t address, uint32_t otherTile = kRows,
                               uint64_t otherAddress = 0) {
  std::vector<TileInterval> ivs;
  for (uint32_t r = 0; r < kRows; ++r)
    ivs.push_back(TileInterval(r, r * kCols, (r + 1) * kCols,
                               r == otherTile ? otherAddress : address));
  return ivs;
}

std::vector<float> weights() {
  std::vector<float> w(kN);
  for (int64_t i = 0; i < kN; ++i)
    w[i] = 0.5f * static_cast<float>(i % 7) - 1;
  return w;
}

/// x (input) and a2, a3 share layout A; m1 and m2 layout M; m3 is M but
/// for tile 2's address; mb is M; z1, z2 and z (output) share layout Z.
///   add1: m1 = x + w        rot1: a2 = rows of m1 rotated down by one
///   add2: m2 = a2 + w       rot2: a3 = rot(m2)      (add1, rot1 again)
///   add3: m3 = a3 + w       rot3: a2 = rot(m3), y2 = m3
///                                                   (one address apart)
///   addBox: mb = a2 + w, but mb[3, 4:8] = a2[3, 0:4] + w[3, 4:8]
///                                                   (one box apart)
///   out: y = mb
///   fill1: z1 = 1   fill2: z2 = 1 (fill1 again)   fill3: z = 2 (one field)
/// Each add has two vertices per tile, one per half row.
std::vector<uint8_t> layersPlan() {
  TB b;
  uint32_t x = b.addInput("x", {kRows, kCols});
  uint32_t w = b.addConstant("w", {kRows, kCols}, weights());
  uint32_t m1 = b.addF32("m1", {kRows, kCols});
  uint32_t a2 = b.addF32("a2", {kRows, kCols});
  uint32_t m2 = b.addF32("m2", {kRows, kCols});
  uint32_t a3 = b.addF32("a3", {kRows, kCols});
  uint32_t m3 = b.addF32("m3", {kRows, kCols});
  uint32_t mb = b.addF32("mb", {kRows, kCols});
  uint32_t z1 = b.addF32("z1", {kRows, kCols});
  uint32_t z2 = b.addF32("z2", {kRows, kCols});
  uint32_t y = b.addOutput("y", {kRows, kCols});
  uint32_t y2 = b.addOutput("y2", {kRows, kCols});
  uint32_t z = b.addOutput("z", {kRows, kCols});
  for (uint32_t t : {x, a2, a3})
    b.map(t, rows(0));
  b.map(w, rows(64));
  for (uint32_t t : {m1, m2, mb})
    b.map(t, rows(128));
  b.map(m3, rows(128, 2, 192));
  b.map(y, rows(256));
  b.map(y2, rows(384));
  for (uint32_t t : {z1, z2, z})
    b.map(t, rows(320));
  CodeletSpec add = sharedCodelet(addCodelet(4));
  auto half = [](uint32_t tensor, int64_t r, int64_t h) {
    return BoxSpec{tensor, {r, 4 * h}, {1, 4}};
  };
  auto addStep = [&](const std::string &name, uint32_t in, uint32_t out,
                     bool moveBox) {
    std::vector<VertexSpec> vs;
    for (uint32_t r = 0; r < kRows; ++r)
      for (int64_t h = 0; h < 2; ++h) {
        bool moved = moveBox && r == 3 && h == 1;
        vs.push_back(
            {r,
             {half(in, r, moved ? 0 : h), half(w, r, h), half(out, r, h)},
             add});
      }
    b.add(TB::computeSet(name, name + ".loc", vs));
  };
  auto rotStep = [&](const std::string &name, uint32_t from, uint32_t to,
                     std::vector<std::pair<BoxSpec, BoxSpec>> copies = {}) {
    for (int64_t r = 0; r < kRows; ++r)
      copies.push_back(
          {{from, {r, 0}, {1, kCols}}, {to, {(r + 1) % kRows, 0}, {1, kCols}}});
    b.add(TB::exchange(name, copies));
  };
  auto fillStep = [&](const std::string &name, uint32_t dst, double value) {
    std::vector<VertexSpec> vs;
    for (uint32_t r = 0; r < kRows; ++r)
      vs.push_back({r, {{dst, {r, 0}, {1, kCols}}}, fillCodelet(0, value)});
    b.add(TB::computeSet(name, name + ".loc", vs));
  };
  addStep("add1", x, m1, false);
  rotStep("rot1", m1, a2);
  addStep("add2", a2, m2, false);
  rotStep("rot2", m2, a3);
  addStep("add3", a3, m3, false);
  rotStep("rot3", m3, a2,
          {{{m3, {0, 0}, {kRows, kCols}}, {y2, {0, 0}, {kRows, kCols}}}});
  addStep("addBox", a2, mb, true);
  b.add(TB::exchange(
      "out", {{{mb, {0, 0}, {kRows, kCols}}, {y, {0, 0}, {kRows, kCols}}}}));
  fillStep("fill1", z1, 1);
  fillStep("fill2", z2, 1);
  fillStep("fill3", z, 2);
  return b.finish({kRows, 4096});
}

/// The same model as host kernels: whole-tensor adds, row copies, fills.
std::vector<uint8_t> hostPlan() {
  PlanTestBuilder hb;
  uint32_t x = hb.addInput("x", DType::F32, {kRows, kCols});
  uint32_t w =
      hb.addConstant<float>("w", DType::F32, {kRows, kCols}, weights());
  auto tensor = [&](const char *name) {
    return hb.addTensor(name, DType::F32, {kRows, kCols});
  };
  uint32_t m1 = tensor("m1"), a2 = tensor("a2"), m2 = tensor("m2"),
           a3 = tensor("a3"), m3 = tensor("m3"), a4 = tensor("a4");
  uint32_t y = hb.addOutput("y", DType::F32, {kRows, kCols});
  uint32_t y2 = hb.addOutput("y2", DType::F32, {kRows, kCols});
  uint32_t z = hb.addOutput("z", DType::F32, {kRows, kCols});
  auto add = [&](uint32_t a, uint32_t out, int64_t n, int64_t aOffset,
                 int64_t offset) {
    GenericSpec g;
    g.bounds = {n};
    g.inputs = {{a, aOffset, {1}}, {w, offset, {1}}};
    g.outputs = {{out, offset, {1}}};
    g.program = {instr(plan::Opcode::AddF, DType::F32, 3, 0, 1),
                 instr(plan::Opcode::Yield, DType::F32, 0, 0, 3)};
    hb.addGeneric(g);
  };
  auto rot = [&](uint32_t from, uint32_t to) {
    hb.addCopy(from, to, {kRows - 1, kCols}, 0, {kCols, 1}, kCols, {kCols, 1});
    hb.addCopy(from, to, {1, kCols}, (kRows - 1) * kCols, {kCols, 1}, 0,
               {kCols, 1});
  };
  add(x, m1, kN, 0, 0);
  rot(m1, a2);
  add(a2, m2, kN, 0, 0);
  rot(m2, a3);
  add(a3, m3, kN, 0, 0);
  rot(m3, a4);
  hb.addCopy(m3, y2, {kN}, 0, {1}, 0, {1});
  add(a4, y, kN, 0, 0);
  add(a4, y, 4, 3 * kCols, 3 * kCols + 4); // the moved box
  hb.addFill(z, 2, 0);
  return hb.finish();
}

/// The plain-loop reference of both plans' y and y2.
std::pair<std::vector<float>, std::vector<float>>
reference(const std::vector<float> &x) {
  std::vector<float> w = weights(), a = x, m(kN);
  auto rot = [](const std::vector<float> &v) {
    std::vector<float> out(kN);
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t c = 0; c < kCols; ++c)
        out[((r + 1) % kRows) * kCols + c] = v[r * kCols + c];
    return out;
  };
  std::vector<float> m3;
  for (int layer = 0; layer < 3; ++layer) {
    for (int64_t i = 0; i < kN; ++i)
      m[i] = a[i] + w[i];
    if (layer == 2)
      m3 = m;
    a = rot(m);
  }
  for (int64_t i = 0; i < kN; ++i)
    m[i] = a[i] + w[i];
  for (int64_t c = 4; c < kCols; ++c)
    m[3 * kCols + c] = a[3 * kCols + c - 4] + w[3 * kCols + c];
  return {m, m3};
}

struct SimRun {
  std::vector<float> y, y2, z;
  std::vector<sim::StepProfile> steps;
  uint64_t totalCycles = 0;
  sim::SimDecodeStats stats;
};

SimRun runSim(const plan::LoadedPlan &p, bool share,
              const std::vector<float> &x, bool relocate = true) {
  sim::SimOptions o;
  o.threads = 2;
  o.shareSteps = share;
  o.relocateSteps = relocate;
  std::string err;
  SimRun r;
  auto dev = sim::SimDevice::create(p, o, err);
  EXPECT_TRUE(dev) << err;
  if (!dev)
    return r;
  EXPECT_TRUE(dev->setInput("x", DType::F32, {kRows, kCols}, x.data(),
                            x.size() * 4, err))
      << err;
  // Twice: a shared body (and its staging buffer) serves every run.
  for (int k = 0; k < 2; ++k)
    EXPECT_TRUE(dev->run(err)) << err;
  r.y = output(*dev, "y", kN);
  r.y2 = output(*dev, "y2", kN);
  r.z = output(*dev, "z", kN);
  r.steps = dev->steps();
  r.totalCycles = dev->summary().totalCycles;
  r.stats = dev->decodeStats();
  return r;
}

TEST(SimStepMemo, SharesExactlyTheStepsEqualButForTensorsOfEqualLayout) {
  plan::LoadedPlan p = load(layersPlan());
  std::vector<float> x = iota(kN, -3);
  SimRun on = runSim(p, true, x), off = runSim(p, false, x);
  // Compute sets add1 add2 add3 addBox fill1 fill2 fill3; exchanges rot1
  // rot2 rot3 out. add2 and rot2 repeat add1 and rot1 over other tensors of
  // the same layouts, fill2 repeats fill1 (its own, equal, Fill table);
  // add3 is an address apart, addBox a box, fill3 a fill value, rot3 reads
  // m3. add3's body of its own is add1's moved (m3 is m1's layout but for
  // one tile's address: congruent, RelocateComputeSet.cpp); without
  // relocation it is decoded.
  EXPECT_EQ(on.stats.computeSetBodies,
            (std::vector<uint32_t>{0, 0, 1, 2, 3, 3, 4}));
  EXPECT_EQ(on.stats.exchangeBodies, (std::vector<uint32_t>{0, 0, 1, 2}));
  EXPECT_EQ(on.stats.computeSetsDecoded, 4u);
  EXPECT_EQ(on.stats.computeSetsRelocated, 1u);
  EXPECT_EQ(on.stats.exchangesDecoded, 3u);
  EXPECT_EQ(on.stats.vertices, 4u * 8 + 3 * 4);
  EXPECT_EQ(on.stats.verticesDecoded, 2u * 8 + 2 * 4);
  EXPECT_EQ(on.stats.verticesRelocated, 8u);
  SimRun decoded = runSim(p, true, x, /*relocate=*/false);
  EXPECT_EQ(decoded.stats.computeSetBodies, on.stats.computeSetBodies);
  EXPECT_EQ(decoded.stats.computeSetsDecoded, 5u);
  EXPECT_EQ(decoded.stats.computeSetsRelocated, 0u);
  EXPECT_EQ(decoded.stats.verticesDecoded, 3u * 8 + 2 * 4);
  EXPECT_EQ(decoded.y, on.y);
  EXPECT_EQ(decoded.y2, on.y2);
  expectSameProfiles(on.steps, decoded.steps);
  EXPECT_EQ(off.stats.computeSetBodies,
            (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(off.stats.exchangeBodies, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(off.stats.verticesDecoded, off.stats.vertices);
  EXPECT_EQ(on.stats.pieces, off.stats.pieces);
  EXPECT_LT(on.stats.piecesDecoded, off.stats.piecesDecoded);

  // Results, cycles and bytes do not depend on sharing.
  EXPECT_EQ(on.y, off.y);
  EXPECT_EQ(on.y2, off.y2);
  EXPECT_EQ(on.z, off.z);
  EXPECT_EQ(on.totalCycles, off.totalCycles);
  ASSERT_EQ(on.steps.size(), off.steps.size());
  for (size_t i = 0; i < on.steps.size(); ++i) {
    const sim::StepProfile &a = on.steps[i], &b = off.steps[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.loc, b.loc);
    EXPECT_EQ(a.executions, 1u) << a.name;
    EXPECT_EQ(a.computeCycles, b.computeCycles) << a.name;
    EXPECT_EQ(a.syncCycles, b.syncCycles) << a.name;
    EXPECT_EQ(a.exchangeCycles, b.exchangeCycles) << a.name;
    EXPECT_EQ(a.exchangeBytes, b.exchangeBytes) << a.name;
    EXPECT_EQ(a.flops, b.flops) << a.name;
  }
  // A step keeps its own profile entry: rot2 counts its own bytes.
  EXPECT_EQ(on.steps[3].name, "rot2");
  EXPECT_EQ(on.steps[3].exchangeBytes, uint64_t(kN * 4));
  EXPECT_EQ(on.steps[5].name, "rot3");
  EXPECT_EQ(on.steps[5].exchangeBytes, uint64_t(2 * kN * 4));

  // And they are right: the reference, and the host device.
  auto [wantY, wantY2] = reference(x);
  EXPECT_EQ(on.y, wantY);
  EXPECT_EQ(on.y2, wantY2);
  EXPECT_EQ(on.z, std::vector<float>(kN, 2));
  plan::LoadedPlan hp = load(hostPlan());
  host::HostDevice host(hp);
  std::string err;
  ASSERT_TRUE(
      host.setInput("x", DType::F32, {kRows, kCols}, x.data(), kN * 4, err))
      << err;
  ASSERT_TRUE(host.run(err)) << err;
  const float *hy = static_cast<const float *>(host.outputData("y"));
  const float *hy2 = static_cast<const float *>(host.outputData("y2"));
  const float *hz = static_cast<const float *>(host.outputData("z"));
  EXPECT_EQ(on.y, std::vector<float>(hy, hy + kN));
  EXPECT_EQ(on.y2, std::vector<float>(hy2, hy2 + kN));
  EXPECT_EQ(on.z, std::vector<float>(hz, hz + kN));
}

} // namespace
