//===- InPlaceStateTest.cpp - Resident pairs updated in place -------------===//
//
// inPlacePairs on hand-built plans: an elementwise update that nothing reads
// afterwards shares its input's storage, and every way that sharing could
// change a result refuses it. End to end, resident steps of an in-place SGD
// update match the closed form and the swapped (not in place) ones.
//
//===----------------------------------------------------------------------===//

#include "InPlaceState.h"
#include "PlanTestBuilder.h"
#include "ipuc/host/HostDevice.h"

#include <gtest/gtest.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::Opcode;

namespace {

/// w.next = w - 0.5 * g over [4, 8]; `wStrides` is how the update reads w.
GenericSpec sgd(uint32_t w, uint32_t g, uint32_t next,
                std::vector<int64_t> wStrides = {8, 1},
                std::vector<uint8_t> reduction = {0, 0}) {
  GenericSpec s;
  s.bounds = {4, 8};
  s.reductionDims = std::move(reduction);
  s.inputs = {{w, 0, std::move(wStrides)}, {g, 0, {8, 1}}};
  s.outputs = {{next, 0, {8, 1}}};
  s.inits = {-1};
  s.program = {instr(Opcode::ConstF, DType::F32, 3, 0, 0, 0, 0, 0.5),
               instr(Opcode::MulF, DType::F32, 4, 1, 3),
               instr(Opcode::SubF, DType::F32, 5, 0, 4),
               instr(Opcode::Yield, DType::F32, 0, 0, 5)};
  return s;
}

struct Sgd {
  PlanTestBuilder b;
  uint32_t w, g, next;
  Sgd() {
    w = b.addInput("w", DType::F32, {4, 8});
    g = b.addInput("g", DType::F32, {4, 8});
    next = b.addOutput("w.next", DType::F32, {4, 8});
  }
  bool inPlace() {
    plan::LoadedPlan p;
    std::string err;
    EXPECT_TRUE(plan::loadPlanBuffer(b.finish(), p, err)) << err;
    return host::inPlacePairs(p.plan(), {{w, next}})[0];
  }
};

TEST(InPlaceState, ElementwiseUpdateNothingReadsAfterwards) {
  Sgd s;
  // A reader of w before the update is fine: it sees the old value.
  uint32_t copy = s.b.addOutput("w.copy", DType::F32, {4, 8});
  s.b.addCopy(s.w, copy, {4, 8}, 0, {8, 1}, 0, {8, 1});
  s.b.addGeneric(sgd(s.w, s.g, s.next));
  EXPECT_TRUE(s.inPlace());
}

TEST(InPlaceState, RefusesWhatSharingWouldChange) {
  { // w read after the update.
    Sgd s;
    s.b.addGeneric(sgd(s.w, s.g, s.next));
    uint32_t copy = s.b.addOutput("w.copy", DType::F32, {4, 8});
    s.b.addCopy(s.w, copy, {4, 8}, 0, {8, 1}, 0, {8, 1});
    EXPECT_FALSE(s.inPlace());
  }
  { // w read at other elements (transposed over a square block).
    Sgd s;
    GenericSpec t = sgd(s.w, s.g, s.next, {1, 8});
    t.bounds = {4, 4};
    s.b.addGeneric(t);
    EXPECT_FALSE(s.inPlace());
  }
  { // w.next written twice, or read before its update.
    Sgd s;
    s.b.addFill(s.next, 1.0, 0);
    s.b.addGeneric(sgd(s.w, s.g, s.next));
    EXPECT_FALSE(s.inPlace());
    Sgd r;
    uint32_t copy = r.b.addOutput("next.copy", DType::F32, {4, 8});
    r.b.addCopy(r.next, copy, {4, 8}, 0, {8, 1}, 0, {8, 1});
    r.b.addGeneric(sgd(r.w, r.g, r.next));
    EXPECT_FALSE(r.inPlace());
  }
  { // A reduction over w (w.next's elements revisited).
    Sgd s;
    GenericSpec red = sgd(s.w, s.g, s.next, {8, 1}, {1, 0});
    red.outputs[0].strides = {0, 1};
    s.b.addGeneric(red);
    EXPECT_FALSE(s.inPlace());
  }
  { // The body reads w.next's register (its old contents).
    Sgd s;
    GenericSpec old = sgd(s.w, s.g, s.next);
    old.program.back() = instr(Opcode::Yield, DType::F32, 0, 0, 2);
    s.b.addGeneric(old);
    EXPECT_FALSE(s.inPlace());
  }
  { // Written by a MatMul.
    Sgd s;
    s.b.addMatMul(s.w, s.g, -1, s.next, 1, 4, 8, 4, false, false, 0, 0);
    EXPECT_FALSE(s.inPlace());
  }
}

/// Three resident steps of w -= 0.5 g, read through readResident (the same
/// whether in place or swapped) and w.next.
TEST(InPlaceState, ResidentStepsMatchTheClosedForm) {
  for (bool readAfter : {false, true}) {
    Sgd s;
    s.b.addGeneric(sgd(s.w, s.g, s.next));
    // A later reader of w keeps the pair swapped instead.
    if (readAfter) {
      uint32_t copy = s.b.addOutput("w.copy", DType::F32, {4, 8});
      s.b.addCopy(s.w, copy, {4, 8}, 0, {8, 1}, 0, {8, 1});
    }
    plan::LoadedPlan p;
    std::string err;
    ASSERT_TRUE(plan::loadPlanBuffer(s.b.finish(), p, err)) << err;
    EXPECT_EQ(host::inPlacePairs(p.plan(), {{s.w, s.next}})[0], !readAfter);
    host::HostDevice dev(p);
    std::vector<float> w(32), g(32);
    for (int i = 0; i < 32; ++i) {
      w[i] = float(i) - 7.0f;
      g[i] = float(i % 5) * 0.25f;
    }
    ASSERT_TRUE(dev.setInput("w", DType::F32, {4, 8}, w.data(), 128, err));
    ASSERT_TRUE(dev.setInput("g", DType::F32, {4, 8}, g.data(), 128, err));
    ASSERT_TRUE(dev.makeResident({{"w", "w.next"}}, err)) << err;
    for (int k = 1; k <= 3; ++k) {
      ASSERT_TRUE(dev.run(err)) << err;
      std::vector<float> now(32);
      ASSERT_TRUE(dev.readResident("w", now.data(), 128, err)) << err;
      const float *out = static_cast<const float *>(dev.outputData("w.next"));
      for (int i = 0; i < 32; ++i) {
        float ref = w[i], previous = w[i];
        for (int j = 0; j < k; ++j) {
          previous = ref;
          ref = ref - g[i] * 0.5f;
        }
        ASSERT_EQ(now[i], ref) << "step " << k << " element " << i;
        // Shared, w.next is the updated value; swapped, the previous one
        // (w.next's buffer was w's).
        ASSERT_EQ(out[i], readAfter ? previous : ref)
            << "step " << k << " element " << i;
      }
    }
  }
}

} // namespace
