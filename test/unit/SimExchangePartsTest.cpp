//===- SimExchangePartsTest.cpp - Exchanges decoded from shared parts -----===//
//
// An exchange whose copy group (copies between one pair of layout classes)
// equals a group of another exchange is run as a composite of parts
// (runtime/sim/ExchangeParts.cpp). Two "layers" that gather the same
// activation layout beside their own weights must share the activation
// part, and compute, cost and count bytes exactly as with sharing off and
// as a plain-loop reference, also when the parts are big enough to be
// shared out between threads. Exchanges in which one group writes what
// another group of the same exchange reads, or writes the same bytes as
// another, must not be run as parts: the exchange's snapshot semantics
// (every read before any write; later copies win) would break.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

constexpr int64_t kRows = 4;
/// Columns of every [4 x cols] tensor: 8, or many for exchanges big enough
/// to be shared out between threads (WithColumns).
int64_t cols = 8;
int64_t numel() { return kRows * cols; }
struct WithColumns {
  explicit WithColumns(int64_t n) { cols = n; }
  ~WithColumns() { cols = 8; }
};

/// Row r of a [4 x cols] tensor on tile r at `slot` (in bytes for 8
/// columns, scaled to the columns).
std::vector<TileInterval> rows(uint64_t slot) {
  std::vector<TileInterval> ivs;
  for (uint32_t r = 0; r < kRows; ++r)
    ivs.push_back(TileInterval(r, r * cols, (r + 1) * cols, slot * cols / 8));
  return ivs;
}

BoxSpec row(uint32_t tensor, int64_t r) {
  return BoxSpec{tensor, {r, 0}, {1, cols}};
}

std::vector<float> constant(float scale) {
  std::vector<float> w(numel());
  for (int64_t i = 0; i < numel(); ++i)
    w[i] = scale * static_cast<float>(i % 5) - 1;
  return w;
}

/// Rows of `v` moved down by one (the last to the top).
std::vector<float> rotated(const std::vector<float> &v) {
  std::vector<float> out(numel());
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[((r + 1) % kRows) * cols + c] = v[r * cols + c];
  return out;
}

struct PartsRun {
  std::vector<float> y1, y2;
  std::vector<sim::StepProfile> steps;
  sim::SimDecodeStats stats;
};

PartsRun runSim(const plan::LoadedPlan &p, bool share, const std::vector<float> &x) {
  sim::SimOptions o;
  o.threads = 2;
  o.shareSteps = share;
  std::string err;
  PartsRun r;
  auto dev = sim::SimDevice::create(p, o, err);
  EXPECT_TRUE(dev) << err;
  if (!dev)
    return r;
  EXPECT_TRUE(dev->setInput("x", DType::F32, {kRows, cols}, x.data(),
                            x.size() * 4, err))
      << err;
  // Twice: shared parts serve every run.
  for (int k = 0; k < 2; ++k)
    EXPECT_TRUE(dev->run(err)) << err;
  r.y1 = output(*dev, "y1", numel());
  r.y2 = output(*dev, "y2", numel());
  r.steps = dev->steps();
  r.stats = dev->decodeStats();
  return r;
}

/// gather1: a = rot(x), b = w1        add1: y1 = a + b
/// gather2: a = rot(x), b = w2        add2: y2 = a + b
/// w1 and w2 live at different addresses, so the gathers differ, but their
/// x -> a groups are equal.
std::vector<uint8_t> layersPlan() {
  TB b;
  uint32_t x = b.addInput("x", {kRows, cols});
  uint32_t w1 = b.addConstant("w1", {kRows, cols}, constant(0.5f));
  uint32_t w2 = b.addConstant("w2", {kRows, cols}, constant(-0.25f));
  uint32_t a = b.addF32("a", {kRows, cols});
  uint32_t s = b.addF32("b", {kRows, cols});
  uint32_t y1 = b.addOutput("y1", {kRows, cols});
  uint32_t y2 = b.addOutput("y2", {kRows, cols});
  b.map(x, rows(0));
  b.map(w1, rows(64));
  b.map(w2, rows(96));
  b.map(a, rows(128));
  b.map(s, rows(192));
  b.map(y1, rows(256));
  b.map(y2, rows(320));
  auto gather = [&](const std::string &name, uint32_t w) {
    std::vector<std::pair<BoxSpec, BoxSpec>> copies;
    for (int64_t r = 0; r < kRows; ++r) {
      copies.push_back({row(x, r), row(a, (r + 1) % kRows)});
      copies.push_back({row(w, r), row(s, r)});
    }
    b.add(TB::exchange(name, copies));
  };
  auto add = [&](const std::string &name, uint32_t y) {
    std::vector<VertexSpec> vs;
    for (uint32_t r = 0; r < kRows; ++r)
      vs.push_back({r, {row(a, r), row(s, r), row(y, r)}, addCodelet(cols)});
    b.add(TB::computeSet(name, name + ".loc", vs));
  };
  gather("gather1", w1);
  add("add1", y1);
  gather("gather2", w2);
  add("add2", y2);
  return b.finish({kRows, static_cast<uint64_t>(4096 * cols / 8)});
}

TEST(SimExchangeParts, LayersShareTheirActivationGather) {
  plan::LoadedPlan p = load(layersPlan());
  std::vector<float> x = iota(numel(), -7);
  PartsRun on = runSim(p, true, x), off = runSim(p, false, x);
  // Two exchange bodies, each a composite of two parts, of which the
  // x -> a part is one and the same.
  EXPECT_EQ(on.stats.exchangeBodies, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(on.stats.exchangePartsRun, 4u);
  EXPECT_EQ(on.stats.exchangePartsDecoded, 3u);
  EXPECT_EQ(off.stats.exchangePartsRun, 0u);
  EXPECT_EQ(on.stats.pieces, off.stats.pieces);
  EXPECT_LT(on.stats.piecesDecoded, off.stats.piecesDecoded);
  // The same numbers, cycles and bytes as decoding each exchange whole.
  EXPECT_EQ(on.y1, off.y1);
  EXPECT_EQ(on.y2, off.y2);
  expectSameProfiles(on.steps, off.steps);
  // And the right ones.
  std::vector<float> a = rotated(x), w1 = constant(0.5f), w2 = constant(-0.25f),
                     want1(numel()), want2(numel());
  for (int64_t i = 0; i < numel(); ++i) {
    want1[i] = a[i] + w1[i];
    want2[i] = a[i] + w2[i];
  }
  EXPECT_EQ(on.y1, want1);
  EXPECT_EQ(on.y2, want2);
}

TEST(SimExchangeParts, BigPartsAreSharedOutBetweenThreads) {
  // Rows of 128 KiB: each gather moves 1 MiB, so the composite hands its
  // parts' chunks to the pool together.
  WithColumns wide(32 * 1024);
  plan::LoadedPlan p = load(layersPlan());
  std::vector<float> x = iota(numel(), -7);
  PartsRun on = runSim(p, true, x), off = runSim(p, false, x);
  EXPECT_EQ(on.stats.exchangePartsRun, 4u);
  EXPECT_EQ(on.y1, off.y1);
  EXPECT_EQ(on.y2, off.y2);
  expectSameProfiles(on.steps, off.steps);
  std::vector<float> a = rotated(x), w1 = constant(0.5f), want1(numel());
  for (int64_t i = 0; i < numel(); ++i)
    want1[i] = a[i] + w1[i];
  EXPECT_EQ(on.y1, want1);
}

/// fill:  y = 3
/// swap1: y = x,  z = rot(y)     (z reads y as it was: 3)
/// out1:  y1 = z
/// swap2: y = w,  z = rot(y)     (z reads y as it was: x)
/// out2:  y2 = z
/// The y -> z groups of swap1 and swap2 are equal, but each reads what the
/// exchange's other group writes: run as parts, z would get the new y.
std::vector<uint8_t> overlappingPlan() {
  TB b;
  uint32_t x = b.addInput("x", {kRows, cols});
  uint32_t w = b.addConstant("w", {kRows, cols}, constant(2.0f));
  uint32_t y = b.addF32("y", {kRows, cols});
  uint32_t z = b.addF32("z", {kRows, cols});
  uint32_t y1 = b.addOutput("y1", {kRows, cols});
  uint32_t y2 = b.addOutput("y2", {kRows, cols});
  b.map(x, rows(0));
  b.map(w, rows(64));
  b.map(y, rows(128));
  b.map(z, rows(192));
  b.map(y1, rows(256));
  b.map(y2, rows(320));
  std::vector<VertexSpec> fill;
  for (uint32_t r = 0; r < kRows; ++r)
    fill.push_back({r, {row(y, r)}, fillCodelet(0, 3)});
  b.add(TB::computeSet("fill", "fill.loc", fill));
  auto swap = [&](const std::string &name, uint32_t from) {
    std::vector<std::pair<BoxSpec, BoxSpec>> copies;
    for (int64_t r = 0; r < kRows; ++r) {
      copies.push_back({row(from, r), row(y, r)});
      copies.push_back({row(y, r), row(z, (r + 1) % kRows)});
    }
    b.add(TB::exchange(name, copies));
  };
  auto out = [&](const std::string &name, uint32_t to) {
    b.add(TB::exchange(
        name, {{{z, {0, 0}, {kRows, cols}}, {to, {0, 0}, {kRows, cols}}}}));
  };
  swap("swap1", x);
  out("out1", y1);
  swap("swap2", w);
  out("out2", y2);
  return b.finish({kRows, static_cast<uint64_t>(4096 * cols / 8)});
}

TEST(SimExchangeParts, PartsThatReadAnotherPartsDestinationAreNotRunAsParts) {
  plan::LoadedPlan p = load(overlappingPlan());
  std::vector<float> x = iota(numel(), 1);
  PartsRun on = runSim(p, true, x), off = runSim(p, false, x);
  // Split (the y -> z groups are shared), then decoded whole.
  EXPECT_EQ(on.stats.exchangePartsDecoded, 3u);
  EXPECT_EQ(on.stats.exchangePartsRun, 0u);
  EXPECT_EQ(on.y1, std::vector<float>(numel(), 3));
  EXPECT_EQ(on.y2, rotated(x));
  EXPECT_EQ(on.y1, off.y1);
  EXPECT_EQ(on.y2, off.y2);
  expectSameProfiles(on.steps, off.steps);
}

/// over1: z0 = w0, z0 = x0, z1 = x1, z1 = w1      out1: y1 = z
/// over2: z0 = v0, z0 = x0, z1 = x1, z1 = v1      out2: y2 = z
/// (zr: row r of z; later copies win.) The x -> z groups are equal, but
/// the other group writes the same rows: run group by group, row 1 would
/// end up x1.
std::vector<uint8_t> overwritingPlan() {
  TB b;
  uint32_t x = b.addInput("x", {kRows, cols});
  uint32_t w = b.addConstant("w", {kRows, cols}, constant(2.0f));
  uint32_t v = b.addConstant("v", {kRows, cols}, constant(-3.0f));
  uint32_t z = b.addF32("z", {kRows, cols});
  uint32_t y1 = b.addOutput("y1", {kRows, cols});
  uint32_t y2 = b.addOutput("y2", {kRows, cols});
  b.map(x, rows(0));
  b.map(w, rows(64));
  b.map(v, rows(96));
  b.map(z, rows(192));
  b.map(y1, rows(256));
  b.map(y2, rows(320));
  auto over = [&](const std::string &name, uint32_t other) {
    b.add(TB::exchange(name, {{row(other, 0), row(z, 0)},
                              {row(x, 0), row(z, 0)},
                              {row(x, 1), row(z, 1)},
                              {row(other, 1), row(z, 1)}}));
  };
  auto out = [&](const std::string &name, uint32_t to) {
    b.add(TB::exchange(name,
                       {{{z, {0, 0}, {2, cols}}, {to, {0, 0}, {2, cols}}}}));
  };
  over("over1", w);
  out("out1", y1);
  over("over2", v);
  out("out2", y2);
  return b.finish({kRows, static_cast<uint64_t>(4096 * cols / 8)});
}

TEST(SimExchangeParts, PartsThatWriteTheSameBytesAreNotRunAsParts) {
  plan::LoadedPlan p = load(overwritingPlan());
  std::vector<float> x = iota(numel(), 1);
  PartsRun on = runSim(p, true, x), off = runSim(p, false, x);
  EXPECT_EQ(on.stats.exchangePartsDecoded, 3u);
  EXPECT_EQ(on.stats.exchangePartsRun, 0u);
  std::vector<float> w = constant(2.0f), v = constant(-3.0f);
  for (int64_t c = 0; c < cols; ++c) {
    EXPECT_EQ(on.y1[c], x[c]);
    EXPECT_EQ(on.y1[cols + c], w[cols + c]);
    EXPECT_EQ(on.y2[c], x[c]);
    EXPECT_EQ(on.y2[cols + c], v[cols + c]);
  }
  EXPECT_EQ(on.y1, off.y1);
  EXPECT_EQ(on.y2, off.y2);
  expectSameProfiles(on.steps, off.steps);
}

} // namespace
