//===- PlanStructureTest.cpp - Parallel FlatBuffers verification ----------===//
//
// verifyPlanStructure verifies tile_program.steps' elements on threads and
// must give VerifyPlanBuffer's verdict on every buffer. These tests take
// tile plans with every Plan and TileProgram field present, corrupt them in
// many seeded ways (byte flips, offset words, vtable entries, truncations),
// nest repeats around the depth limit and lower the table limit around a
// plan's exact table count, and compare the verdicts with the parallel path
// forced (parallelBytes 0) on 2, 3 and 4 threads.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"

#include <gtest/gtest.h>

#include <random>

using namespace ipuc;
using namespace ipuc::test;
using TB = TilePlanBuilder;
using flatbuffers::Verifier;

namespace {

bool reference(const std::vector<uint8_t> &buf,
               const Verifier::Options &limits = plan::planVerifierLimits()) {
  Verifier v(buf.data(), buf.size(), limits);
  return plan::VerifyPlanBuffer(v);
}

/// Compares the parallel verdict on 2, 3 and 4 threads with the reference;
/// returns the reference's.
bool expectSameVerdict(
    const std::vector<uint8_t> &buf, const std::string &what,
    const Verifier::Options &limits = plan::planVerifierLimits()) {
  bool want = reference(buf, limits);
  for (unsigned threads : {2u, 3u, 4u}) {
    plan::StructureOptions opts{limits, threads, 0};
    EXPECT_EQ(plan::verifyPlanStructure(buf.data(), buf.size(), opts), want)
        << what << " on " << threads << " threads";
  }
  return want;
}

/// `levels` repeats nested in one another around a host write.
TB::StepFn nested(int levels) {
  TB::StepFn s = TB::hostWrite("x", 0);
  for (int l = 0; l < levels; ++l)
    s = TB::repeat(2, {s});
  return s;
}

/// Steps of every kind: compute sets and exchanges of `width` records,
/// repeats (one three deep) and host streams.
std::vector<TB::StepFn> someSteps(int n, int width) {
  std::vector<TB::StepFn> steps;
  for (int s = 0; s < n; ++s) {
    std::string name = "s" + std::to_string(s);
    switch (s % 5) {
    case 0:
      steps.push_back(TB::computeSet(
          name, "here",
          std::vector<VertexSpec>(width, {0, {{0, {0}, {4}}}, addCodelet(4)})));
      break;
    case 1:
      steps.push_back(
          TB::exchange(name, std::vector<std::pair<BoxSpec, BoxSpec>>(
                                 width, {{0, {0}, {4}}, {1, {0}, {4}}})));
      break;
    case 2:
      steps.push_back(TB::repeat(
          3, {TB::computeSet(name, "loop", {{1, {}, fillCodelet(0, 2)}}),
              nested(2)}));
      break;
    case 3:
      steps.push_back(TB::hostWrite("x", 0));
      break;
    default:
      steps.push_back(TB::hostRead("y", 1));
    }
  }
  return steps;
}

/// A tile plan (not necessarily a meaningful one) whose Plan and
/// TileProgram fields are all present except field `omit` of Plan (0-11) or
/// of TileProgram (12-13).
std::vector<uint8_t> fullPlan(const std::vector<TB::StepFn> &steps,
                              int omit = -1) {
  B b;
  // The steps first: the builder writes back to front, so they take the
  // buffer's end and a truncation cuts into them with the tables they hang
  // from intact.
  std::vector<flatbuffers::Offset<plan::Step>> ss;
  for (const auto &s : steps)
    ss.push_back(s(b));
  // Offset o unless `field` is the one left out.
  auto keep = [&](int field, auto o) {
    return omit == field ? decltype(o)() : o;
  };
  auto str = [&](const char *s, int field) {
    return keep(field, b.CreateString(s));
  };
  auto shape = b.CreateVector(std::vector<int64_t>{4});
  b.ForceVectorAlignment(16, 1, 16);
  auto data = b.CreateVector(std::vector<uint8_t>(16, 0));
  std::vector<flatbuffers::Offset<plan::Tensor>> ts = {
      plan::CreateTensor(b, b.CreateString("x"), plan::DType::F32, shape,
                         plan::TensorRole::Input),
      plan::CreateTensor(b, b.CreateString("y"), plan::DType::F32, shape,
                         plan::TensorRole::Constant, data)};
  auto binding = [&](const char *n, uint32_t t) {
    return b.CreateVector(std::vector<flatbuffers::Offset<plan::Binding>>{
        plan::CreateBinding(b, b.CreateString(n), t)});
  };
  auto ins = binding("x", 0), outs = binding("y", 1);
  auto kernel = plan::CreateKernel(
      b, b.CreateString("fill"), b.CreateString("here"), plan::KernelBody::Fill,
      plan::CreateFill(b, 1, 0.5, 0).Union());
  auto host =
      b.CreateVector(std::vector<flatbuffers::Offset<plan::Kernel>>{kernel});
  std::vector<plan::TileInterval> ivs = {plan::TileInterval(0, 0, 4, 0)};
  auto mappings =
      b.CreateVector(std::vector<flatbuffers::Offset<plan::TensorMapping>>{
          plan::CreateTensorMapping(b, 0, b.CreateVectorOfStructs(ivs)),
          plan::CreateTensorMapping(b, 1, b.CreateVectorOfStructs(ivs))});
  auto tp = plan::CreateTileProgram(b, keep(12, mappings),
                                    keep(13, b.CreateVector(ss)));
  auto device = plan::CreateDevice(b, b.CreateString("test"), 1, 4, 4096, 1e9,
                                   6, 32, 128, 2, 4, 150);
  auto state =
      b.CreateVector(std::vector<flatbuffers::Offset<flatbuffers::String>>{
          b.CreateString("m"), b.CreateString("v")});
  auto params =
      b.CreateVector(std::vector<flatbuffers::Offset<plan::TrainedParameter>>{
          plan::CreateTrainedParameter(b, b.CreateString("y"), state)});
  auto training = plan::CreateTraining(b, b.CreateString("adam"), 0.1,
                                       b.CreateString("constant"), 0, 1, 0.1, 0,
                                       10, b.CreateString("lr"), params);
  auto root = plan::CreatePlan(
      b, keep(0, plan::kFormatVersion), str(plan::schemaHash(), 1),
      str("test", 2), str("test.mlir", 3), str("ipu", 4), keep(5, device),
      keep(6, b.CreateVector(ts)), keep(7, ins), keep(8, outs), keep(9, host),
      keep(10, tp), keep(11, training));
  plan::FinishPlanBuffer(b, root);
  return std::vector<uint8_t>(b.GetBufferPointer(),
                              b.GetBufferPointer() + b.GetSize());
}

/// The byte range holding fullPlan's steps: from the last step's table
/// (written last of them) to the end.
std::pair<size_t, size_t> stepsRegion(const std::vector<uint8_t> &buf) {
  const plan::Plan &p = *plan::GetPlan(buf.data());
  size_t lo = buf.size();
  for (const plan::Step *s : *p.tile_program()->steps())
    lo = std::min(lo, static_cast<size_t>(reinterpret_cast<const uint8_t *>(s) -
                                          buf.data()));
  return {lo, buf.size()};
}

/// Counts of the verdicts, so a test can show it saw both.
struct Verdicts {
  int accepted = 0, rejected = 0;
  void add(bool ok) { ++(ok ? accepted : rejected); }
};

TEST(PlanStructure, ValidPlansAreAcceptedOnEveryThreadCount) {
  for (int n : {0, 1, 2, 7, 40}) {
    std::vector<uint8_t> buf = fullPlan(someSteps(n, 30));
    EXPECT_TRUE(expectSameVerdict(buf, std::to_string(n) + " steps"));
  }
}

TEST(PlanStructure, EachFieldLeftOutGetsTheReferenceVerdict) {
  // A field the schema makes `required` would be rejected here by the
  // generated verifier and must be by the mirror too.
  for (int omit = 0; omit < 14; ++omit)
    expectSameVerdict(fullPlan(someSteps(12, 8), omit),
                      "field " + std::to_string(omit) + " left out");
}

TEST(PlanStructure, RandomCorruptionsGetTheReferenceVerdict) {
  std::vector<uint8_t> base = fullPlan(someSteps(40, 20));
  ASSERT_TRUE(reference(base));
  auto [lo, hi] = stepsRegion(base);
  ASSERT_LT(lo, hi);
  std::mt19937_64 rng(20261202);
  auto pick = [&](size_t a, size_t b) {
    return std::uniform_int_distribution<size_t>(a, b - 1)(rng);
  };
  Verdicts flips, words, vtables;
  for (int i = 0; i < 800; ++i) {
    std::vector<uint8_t> buf = base;
    // Mostly in the steps; some in the rest (the plan's other tables, which
    // the calling thread verifies).
    bool inSteps = i % 4 != 0;
    int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k)
      buf[inSteps ? pick(lo, hi) : pick(0, lo)] = static_cast<uint8_t>(rng());
    flips.add(
        expectSameVerdict(buf, "byte flips, seed step " + std::to_string(i)));
  }
  for (int i = 0; i < 800; ++i) {
    std::vector<uint8_t> buf = base;
    // An aligned word (an offset, a vector length, a vtable's soffset) set
    // to a value near the buffer's edges or its own.
    size_t at = (i % 4 ? pick(lo, hi) : pick(0, lo)) & ~size_t(3);
    if (at + 4 > buf.size())
      continue;
    uint32_t old;
    std::memcpy(&old, &buf[at], 4);
    uint32_t size = static_cast<uint32_t>(buf.size());
    const uint32_t values[] = {
        0,          1,          2,        4,
        size - 4,   size,       size + 4, 0x7fffffff,
        0x80000000, 0xffffffff, old + 4,  old - 4,
        old + 8,    old * 2,    old + 1,  static_cast<uint32_t>(rng())};
    uint32_t v = values[rng() % std::size(values)];
    std::memcpy(&buf[at], &v, 4);
    words.add(expectSameVerdict(buf, "word at " + std::to_string(at)));
  }
  for (int i = 0; i < 400; ++i) {
    std::vector<uint8_t> buf = base;
    // A 16-bit vtable entry or table size.
    size_t at = pick(lo, hi) & ~size_t(1);
    uint16_t v = static_cast<uint16_t>(
        i % 2 ? rng() : (rng() % 2 ? 0xffff : rng() % 64));
    std::memcpy(&buf[at], &v, 2);
    vtables.add(expectSameVerdict(buf, "short at " + std::to_string(at)));
  }
  // Not vacuous: each kind of damage was both caught and (when it hit
  // padding or a field nothing checks) let through.
  for (const Verdicts *v : {&flips, &words, &vtables}) {
    EXPECT_GT(v->rejected, 100);
    EXPECT_GT(v->accepted, 10);
  }
}

TEST(PlanStructure, TruncationsGetTheReferenceVerdict) {
  std::vector<uint8_t> base = fullPlan(someSteps(20, 10));
  size_t lo = stepsRegion(base).first;
  Verdicts seen;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 600; ++i) {
    // Mostly cuts through the steps, which only the threads see.
    size_t len = i < 64  ? static_cast<size_t>(i)
                 : i % 4 ? lo + rng() % (base.size() - lo)
                         : rng() % base.size();
    std::vector<uint8_t> cut(base.begin(), base.begin() + len);
    seen.add(expectSameVerdict(cut, "cut to " + std::to_string(len)));
  }
  EXPECT_GT(seen.rejected, 500);
}

TEST(PlanStructure, RepeatNestingAroundTheDepthLimit) {
  // Plan, TileProgram, then a Step and a Repeat per level and the innermost
  // Step and HostWrite: the limit of 64 tables deep allows 30 levels, not
  // 31, in a step in the middle of the program.
  Verdicts seen;
  for (int levels = 24; levels <= 34; ++levels) {
    std::vector<TB::StepFn> steps = someSteps(10, 4);
    steps.insert(steps.begin() + 6, nested(levels));
    seen.add(
        expectSameVerdict(fullPlan(steps), std::to_string(levels) + " levels"));
  }
  EXPECT_GT(seen.accepted, 0);
  EXPECT_GT(seen.rejected, 0);
  // A lowered max_depth, down to one that rejects the plan table itself.
  std::vector<uint8_t> buf = fullPlan(someSteps(10, 4));
  Verdicts lowered;
  for (flatbuffers::uoffset_t depth = 0; depth <= 12; ++depth) {
    Verifier::Options limits = plan::planVerifierLimits();
    limits.max_depth = depth;
    lowered.add(
        expectSameVerdict(buf, "max_depth " + std::to_string(depth), limits));
  }
  EXPECT_GT(lowered.accepted, 0);
  EXPECT_GT(lowered.rejected, 0);
}

TEST(PlanStructure, TableLimitCountsTheTablesOfEveryThread) {
  // Big enough (~55 000 tables, milliseconds of verifying) that every
  // thread gets steps of its own, so no one verifier sees all the tables.
  std::vector<uint8_t> buf = fullPlan(someSteps(200, 150));
  // The fewest tables VerifyPlanBuffer allows is the plan's table count.
  Verifier::Options limits = plan::planVerifierLimits();
  flatbuffers::uoffset_t lo = 0, hi = limits.max_tables;
  while (lo < hi) {
    limits.max_tables = lo + (hi - lo) / 2;
    if (reference(buf, limits))
      hi = limits.max_tables;
    else
      lo = limits.max_tables + 1;
  }
  flatbuffers::uoffset_t count = lo;
  ASSERT_GT(count, 50000u); // most of them in the steps
  for (flatbuffers::uoffset_t t : {count - 200, count - 3, count - 2, count - 1,
                                   count, count + 1, count + 2}) {
    limits.max_tables = t;
    EXPECT_EQ(expectSameVerdict(buf, "max_tables " + std::to_string(t), limits),
              t >= count);
  }
  // Limits the plan's own tables already exceed, before any step.
  for (flatbuffers::uoffset_t t : {0u, 1u, 2u, 5u}) {
    limits.max_tables = t;
    EXPECT_FALSE(
        expectSameVerdict(buf, "max_tables " + std::to_string(t), limits));
  }
}

TEST(PlanStructure, BigValidPlanLoadsAndCorruptOneIsRejected) {
  // Above kParallelStructureBytes, so the loader takes the parallel path.
  TB b;
  uint32_t x = b.addF32("x", {4});
  uint32_t y = b.addF32("y", {4});
  b.mapOn(x, 0, 4, 0);
  b.mapOn(y, 1, 4, 0);
  for (int s = 0; s < 40; ++s) {
    b.add(TB::computeSet(
        "cs" + std::to_string(s), "here",
        std::vector<VertexSpec>(300, {0, {{x, {0}, {4}}}, fillCodelet(0, 1)})));
    b.add(TB::exchange("ex" + std::to_string(s),
                       std::vector<std::pair<BoxSpec, BoxSpec>>(
                           300, {{x, {0}, {4}}, {y, {0}, {4}}})));
  }
  std::vector<uint8_t> buf = b.finish();
  ASSERT_GT(buf.size(), plan::kParallelStructureBytes);
  plan::LoadedPlan p;
  std::string err;
  ASSERT_TRUE(plan::loadPlanBuffer(buf, p, err)) << err;
  EXPECT_EQ(p.plan().tile_program()->steps()->size(), 80u);
  // An exchange copy's source box whose vtable would lie far outside the
  // buffer, in step 71 (an exchange).
  const auto *box = plan::GetPlan(buf.data())
                        ->tile_program()
                        ->steps()
                        ->Get(71)
                        ->body_as_Exchange()
                        ->copies()
                        ->Get(5)
                        ->src();
  size_t at =
      static_cast<size_t>(reinterpret_cast<const uint8_t *>(box) - buf.data());
  std::vector<uint8_t> bad = buf;
  uint32_t far = 0x7ffffff0;
  std::memcpy(&bad[at], &far, 4); // the Box's vtable soffset
  ASSERT_FALSE(reference(bad));
  EXPECT_FALSE(plan::loadPlanBuffer(bad, p, err));
  EXPECT_EQ(err, "corrupt or truncated plan (FlatBuffers verification failed)");
}

} // namespace
