//===- PlanLoaderTest.cpp - Plan verification: valid and corrupt plans ----===//

#include "PlanTestBuilder.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include <sys/stat.h>

using namespace ipuc;
using namespace ipuc::test;
using plan::DType;
using plan::Opcode;

namespace {

// y = relu(x + bias) over [2x3].
PlanTestBuilder smallPlan() {
  PlanTestBuilder b;
  uint32_t x = b.addInput("x", DType::F32, {2, 3});
  uint32_t bias = b.addConstant<float>("bias", DType::F32, {3}, {1, -2, 3});
  uint32_t y = b.addOutput("y", DType::F32, {2, 3});
  GenericSpec g;
  g.bounds = {2, 3};
  g.reductionDims = {0, 0};
  g.inputs = {{x, 0, {3, 1}}, {bias, 0, {0, 1}}};
  g.outputs = {{y, 0, {3, 1}}};
  g.inits = {-1};
  g.program = {instr(Opcode::AddF, DType::F32, 3, 0, 1),
               instr(Opcode::ConstF, DType::F32, 4),
               instr(Opcode::MaxF, DType::F32, 5, 3, 4),
               instr(Opcode::Yield, DType::F32, 0, 0, 5)};
  b.addGeneric(g, "model.onnx:node 'relu'");
  return b;
}

bool load(std::vector<uint8_t> bytes, std::string &err) {
  plan::LoadedPlan p;
  return plan::loadPlanBuffer(std::move(bytes), p, err);
}

TEST(PlanLoader, LoadsAndPrintsValidPlan) {
  plan::LoadedPlan p;
  std::string err;
  ASSERT_TRUE(plan::loadPlanBuffer(smallPlan().finish(), p, err)) << err;
  std::string text = plan::printPlan(p.plan());
  EXPECT_NE(text.find("%0 = tensor \"x\" f32[2x3] input"), std::string::npos) << text;
  EXPECT_NE(text.find("%1 = tensor \"bias\" f32[3] constant"), std::string::npos);
  EXPECT_NE(text.find("loc(\"model.onnx:node 'relu'\")"), std::string::npos);
  EXPECT_NE(text.find("r5 = MaxF r3, r4 : f32"), std::string::npos) << text;
  EXPECT_NE(text.find("iterators [parallel, parallel]"), std::string::npos);
  EXPECT_NE(text.find("device \"gc200\""), std::string::npos);
}

TEST(PlanLoader, EveryTruncationIsACleanError) {
  std::vector<uint8_t> full = smallPlan().finish();
  plan::LoadedPlan whole;
  std::string err;
  ASSERT_TRUE(plan::loadPlanBuffer(full, whole, err));
  for (size_t len = 0; len < full.size(); ++len) {
    plan::LoadedPlan p;
    std::vector<uint8_t> cut(full.begin(), full.begin() + len);
    if (plan::loadPlanBuffer(cut, p, err)) {
      // Only alignment padding at the very end may be cut without loss.
      for (size_t i = len; i < full.size(); ++i)
        ASSERT_EQ(full[i], 0) << "truncation at " << len << " was accepted";
      EXPECT_EQ(plan::printPlan(p.plan()), plan::printPlan(whole.plan()));
    } else {
      EXPECT_FALSE(err.empty());
    }
  }
}

TEST(PlanLoader, ByteFlipsNeverCrash) {
  std::vector<uint8_t> full = smallPlan().finish();
  int rejected = 0;
  for (size_t i = 0; i < full.size(); ++i)
    for (uint8_t x : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> bytes = full;
      bytes[i] ^= x;
      std::string err;
      plan::LoadedPlan p;
      if (!plan::loadPlanBuffer(bytes, p, err)) {
        ++rejected;
        EXPECT_FALSE(err.empty());
      } else {
        (void)plan::printPlan(p.plan()); // accepted plans must be usable
      }
    }
  EXPECT_GT(rejected, 0);
}

TEST(PlanLoader, HeaderChecks) {
  std::string err;
  std::vector<uint8_t> bytes = smallPlan().finish();
  bytes[4] = 'X';
  EXPECT_FALSE(load(bytes, err));
  EXPECT_NE(err.find("IPUP"), std::string::npos) << err;
  EXPECT_FALSE(load(smallPlan().finish(plan::kFormatVersion + 1), err));
  EXPECT_NE(err.find("format version 2"), std::string::npos) << err;
  EXPECT_FALSE(load(smallPlan().finish(plan::kFormatVersion, "deadbeef"), err));
  EXPECT_NE(err.find("schema hash"), std::string::npos) << err;
}

TEST(PlanLoader, FileErrorsNameTheFile) {
  plan::LoadedPlan p;
  std::string err;
  EXPECT_FALSE(plan::loadPlanFile("/nonexistent/m.ipuplan", p, err));
  EXPECT_EQ(err.rfind("/nonexistent/m.ipuplan: ", 0), 0u) << err;
}

/// A file under the test's temporary directory holding `bytes`.
std::string writeTempFile(const std::string &name,
                          const std::vector<uint8_t> &bytes) {
  std::string path = ::testing::TempDir() + "plan-loader-" + name;
  std::FILE *f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr) << path;
  if (f) {
    if (!bytes.empty())
      std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  return path;
}

// Regular files are mapped, not read: the mapped plan must be the same plan,
// aligned for in-place constants, and every check must still apply to it.
TEST(PlanLoader, MappedFileIsTheSamePlan) {
  std::vector<uint8_t> bytes = smallPlan().finish();
  std::string path = writeTempFile("valid.ipuplan", bytes);
  plan::LoadedPlan fromFile, fromBuffer;
  std::string err;
  ASSERT_TRUE(plan::loadPlanFile(path, fromFile, err)) << err;
  ASSERT_TRUE(plan::loadPlanBuffer(bytes, fromBuffer, err)) << err;
  ASSERT_EQ(fromFile.size(), bytes.size());
  EXPECT_EQ(std::memcmp(fromFile.data(), bytes.data(), bytes.size()), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(fromFile.data()) % 16, 0u);
  EXPECT_EQ(plan::printPlan(fromFile.plan()),
            plan::printPlan(fromBuffer.plan()));
  // Moving keeps the mapping alive, and the moved-from plan is empty.
  plan::LoadedPlan moved = std::move(fromFile);
  EXPECT_FALSE(fromFile.valid());
  EXPECT_EQ(plan::printPlan(moved.plan()), plan::printPlan(fromBuffer.plan()));
  std::remove(path.c_str());
}

TEST(PlanLoader, CorruptFilesAreCleanErrors) {
  std::vector<uint8_t> bytes = smallPlan().finish();
  plan::LoadedPlan p;
  std::string err;
  std::string empty = writeTempFile("empty.ipuplan", {});
  EXPECT_FALSE(plan::loadPlanFile(empty, p, err));
  EXPECT_EQ(err, empty + ": not an ipuc plan: only 0 bytes");
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + bytes.size() / 2);
  std::string half = writeTempFile("half.ipuplan", cut);
  EXPECT_FALSE(plan::loadPlanFile(half, p, err));
  EXPECT_EQ(err, half + ": corrupt or truncated plan (FlatBuffers verification "
                        "failed)");
  PlanTestBuilder b = smallPlan();
  b.addFill(42, 0, 0);
  std::string bad = writeTempFile("semantic.ipuplan", b.finish());
  EXPECT_FALSE(plan::loadPlanFile(bad, p, err));
  EXPECT_EQ(err.rfind(bad + ": invalid plan: ", 0), 0u) << err;
  EXPECT_NE(err.find("tensor %42"), std::string::npos) << err;
  EXPECT_FALSE(p.valid());
  for (const std::string &f : {empty, half, bad})
    std::remove(f.c_str());
}

// What cannot be mapped (a pipe) is still read.
TEST(PlanLoader, ReadsAPipe) {
  std::vector<uint8_t> bytes = smallPlan().finish();
  std::string path = ::testing::TempDir() + "plan-loader-fifo";
  std::remove(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
  std::thread writer([&] {
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (f) {
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
  });
  plan::LoadedPlan p;
  std::string err;
  bool ok = plan::loadPlanFile(path, p, err);
  writer.join();
  std::remove(path.c_str());
  ASSERT_TRUE(ok) << err;
  ASSERT_EQ(p.size(), bytes.size());
  EXPECT_EQ(std::memcmp(p.data(), bytes.data(), bytes.size()), 0);
}

std::string semanticError(PlanTestBuilder b) {
  std::string err;
  EXPECT_FALSE(load(b.finish(), err));
  return err;
}

TEST(PlanLoader, SemanticChecks) {
  {
    PlanTestBuilder b = smallPlan();
    b.addFill(42, 0, 0);
    EXPECT_NE(semanticError(b).find("tensor %42"), std::string::npos);
  }
  {
    PlanTestBuilder b;
    uint32_t x = b.addInput("x", DType::F32, {2, 3});
    uint32_t y = b.addOutput("y", DType::F32, {2, 3});
    GenericSpec g;
    g.bounds = {2, 3};
    g.inputs = {{x, 0, {4, 1}}}; // reaches element 6 of 6
    g.outputs = {{y, 0, {3, 1}}};
    g.program = {instr(Opcode::Yield, DType::F32, 0, 0, 0)};
    b.addGeneric(g, "loc1");
    std::string err = semanticError(b);
    EXPECT_NE(err.find("reaches elements [0, 6]"), std::string::npos) << err;
    EXPECT_NE(err.find("loc1"), std::string::npos) << err;
  }
  {
    PlanTestBuilder b;
    uint32_t x = b.addInput("x", DType::F32, {4});
    uint32_t y = b.addOutput("y", DType::F32, {4});
    GenericSpec g;
    g.bounds = {4};
    g.inputs = {{x, 3, {-1}}}; // reverse is fine
    g.outputs = {{y, 0, {1}}};
    g.program = {instr(Opcode::Yield, DType::F32, 0, 0, 0)};
    b.addGeneric(g);
    std::string err;
    EXPECT_TRUE(load(b.finish(), err)) << err;
    g.inputs = {{x, 2, {-1}}}; // reaches -1
    PlanTestBuilder c;
    c.addInput("x", DType::F32, {4});
    c.addOutput("y", DType::F32, {4});
    c.addGeneric(g);
    EXPECT_NE(semanticError(c).find("reaches elements [-1, 2]"), std::string::npos);
  }
  {
    PlanTestBuilder b;
    uint32_t x = b.addInput("x", DType::F32, {4});
    uint32_t y = b.addOutput("y", DType::F32, {4});
    GenericSpec g;
    g.bounds = {4};
    g.inputs = {{x, 0, {1}}};
    g.outputs = {{y, 0, {1}}};
    g.program = {instr(Opcode::AddF, DType::F32, 2, 0, 9)};
    g.numRegisters = 3;
    b.addGeneric(g);
    EXPECT_NE(semanticError(b).find("register out of range"), std::string::npos);
  }
  {
    PlanTestBuilder b;
    uint32_t x = b.addInput("x", DType::F32, {4});
    uint32_t y = b.addOutput("y", DType::F32, {4});
    GenericSpec g;
    g.bounds = {4};
    g.inputs = {{x, 0, {1}}};
    g.outputs = {{y, 0, {1}}};
    g.program = {instr(Opcode::Yield, DType::F32, 0, 1, 0)};
    b.addGeneric(g);
    EXPECT_NE(semanticError(b).find("yield"), std::string::npos);
  }
  {
    PlanTestBuilder b;
    uint32_t l = b.addInput("l", DType::F32, {2, 3});
    uint32_t r = b.addInput("r", DType::F32, {3, 4});
    uint32_t o = b.addOutput("o", DType::F32, {2, 4});
    b.addMatMul(l, r, -1, o, 1, 2, 4, 5, false, false, 0, 0); // k = 5 too big
    EXPECT_NE(semanticError(b).find("lhs needs 10 elements"), std::string::npos);
  }
  {
    // Conv2DBackwardFilter: x [1,4,4,2] NHWC, g [1,2,2,3] NHWC, dW [3,3,3,2].
    auto conv = [](std::vector<int64_t> gradStrides,
                   std::vector<int64_t> resultStrides) {
      PlanTestBuilder b;
      uint32_t x = b.addInput("x", DType::F32, {1, 4, 4, 2});
      uint32_t g = b.addInput("g", DType::F32, {1, 2, 2, 3});
      uint32_t w = b.addOutput("w", DType::F32, {3, 3, 3, 2});
      b.addConvBackwardFilter(x, g, w, {1, 4, 4, 2, 3, 3, 3, 2, 2},
                              {32, 8, 2, 1}, gradStrides, resultStrides,
                              "loc2");
      return b;
    };
    PlanTestBuilder ok = conv({12, 6, 3, 1}, {18, 6, 2, 1});
    std::string err;
    EXPECT_TRUE(load(ok.finish(), err)) << err;
    PlanTestBuilder far = conv({12, 7, 3, 1}, {18, 6, 2, 1});
    err = semanticError(far);
    EXPECT_NE(err.find("grad needs 13 elements"), std::string::npos) << err;
    EXPECT_NE(err.find("loc2"), std::string::npos) << err;
    PlanTestBuilder three = conv({12, 6, 3, 1}, {18, 6, 2});
    EXPECT_NE(semanticError(three).find("result needs 4 strides"),
              std::string::npos);
  }
  {
    // MaxPool2DBackward: x, mask, dx [2,4,4,3] NHWC, max and g [2,2,2,3];
    // index (n, oh, ow, c, kh, kw) of x is element (n, 2oh+kh, 2ow+kw, c).
    auto pool = [](std::vector<int64_t> fine, std::vector<int64_t> pooled,
                   std::vector<int64_t> result, DType dtype = DType::F32,
                   bool resultIsMask = false) {
      PlanTestBuilder b;
      uint32_t x = b.addInput("x", dtype, {2, 4, 4, 3});
      uint32_t m = b.addInput("m", dtype, {2, 2, 2, 3});
      uint32_t g = b.addInput("g", dtype, {2, 2, 2, 3});
      uint32_t k = b.addInput("k", dtype, {2, 4, 4, 3});
      uint32_t dx = b.addOutput("dx", dtype, {2, 4, 4, 3});
      b.addMaxPoolBackward(x, m, g, resultIsMask ? dx : k, dx,
                           {2, 2, 2, 3, 2, 2}, fine, pooled, result, "loc3");
      return b;
    };
    const std::vector<int64_t> fine = {48, 24, 6, 1, 12, 3};
    const std::vector<int64_t> pooled = {12, 6, 3, 1};
    PlanTestBuilder ok = pool(fine, pooled, fine);
    std::string err;
    EXPECT_TRUE(load(ok.finish(), err)) << err;
    // The pooled operands stepped like the image: past their end.
    PlanTestBuilder far = pool(fine, {48, 24, 6, 1}, fine);
    err = semanticError(far);
    EXPECT_NE(err.find("max needs 81 elements"), std::string::npos) << err;
    EXPECT_NE(err.find("loc3"), std::string::npos) << err;
    PlanTestBuilder five = pool({48, 24, 6, 1, 12}, pooled, fine);
    err = semanticError(five);
    EXPECT_NE(err.find("input needs 6 strides, has 5"), std::string::npos)
        << err;
    PlanTestBuilder negative = pool(fine, {12, 6, -3, 1}, fine);
    err = semanticError(negative);
    EXPECT_NE(err.find("max has a negative stride -3 for index 2"),
              std::string::npos)
        << err;
    // kh and kw swapped in the result only: in bounds, still one element
    // per index; kh given kw's stride: two indices write one element.
    PlanTestBuilder swapped = pool(fine, pooled, {48, 24, 6, 1, 3, 12});
    EXPECT_TRUE(load(swapped.finish(), err)) << err;
    PlanTestBuilder twice = pool(fine, pooled, {48, 24, 6, 1, 3, 3});
    err = semanticError(twice);
    EXPECT_NE(err.find("write some elements twice"), std::string::npos) << err;
    PlanTestBuilder ints = pool(fine, pooled, fine, DType::I32);
    EXPECT_NE(semanticError(ints).find("needs f32 or f64 tensors, not I32"),
              std::string::npos);
    PlanTestBuilder alias = pool(fine, pooled, fine, DType::F32, true);
    EXPECT_NE(semanticError(alias).find("is also one of its operands"),
              std::string::npos);
  }
  {
    PlanTestBuilder b;
    b.addTensor("c", DType::F32, {2}, plan::TensorRole::Constant, {1, 2, 3});
    EXPECT_NE(semanticError(b).find("3 bytes of data, expected 8"), std::string::npos);
  }
  {
    PlanTestBuilder b;
    uint32_t t = b.addTensor("t", DType::F32, {2});
    b.bindInput("t", t);
    EXPECT_NE(semanticError(b).find("role is intermediate"), std::string::npos);
  }
  {
    PlanTestBuilder b;
    uint32_t s = b.addInput("s", DType::F32, {2, 3});
    uint32_t d = b.addOutput("d", DType::F32, {3, 2});
    b.addCopy(s, d, {3, 3}, 0, {1, 3}, 0, {2, 1});
    EXPECT_NE(semanticError(b).find("copy"), std::string::npos);
  }
}

TEST(PlanLoader, ConvBackwardDataChecks) {
  // g [1,4,4,3] NHWC, w [3,3,3,2] OHWC, dx [1,4,4,2] NHWC, k3 p1.
  auto conv = [](std::vector<int64_t> params,
                 std::vector<int64_t> filterStrides,
                 std::vector<int64_t> resultStrides) {
    PlanTestBuilder b;
    uint32_t g = b.addInput("g", DType::F32, {1, 4, 4, 3});
    uint32_t w = b.addInput("w", DType::F32, {3, 3, 3, 2});
    uint32_t x = b.addOutput("x", DType::F32, {1, 4, 4, 2});
    b.addConvBackwardData(g, w, x, {1, 4, 4, 3, 3, 3, 2, 4, 4}, params,
                          {48, 12, 3, 1}, filterStrides, resultStrides, "loc3");
    return b;
  };
  const std::vector<int64_t> k3p1 = {1, 1, 1, 1, 1, 1};
  std::string err;
  PlanTestBuilder ok = conv(k3p1, {18, 6, 2, 1}, {32, 8, 2, 1});
  EXPECT_TRUE(load(ok.finish(), err)) << err;
  // Negative padding (a forward conv that cropped) is valid too.
  PlanTestBuilder crop =
      conv({2, 1, 1, 2, -1, 0}, {18, 6, 2, 1}, {32, 8, 2, 1});
  EXPECT_TRUE(load(crop.finish(), err)) << err;
  PlanTestBuilder far = conv(k3p1, {18, 7, 2, 1}, {32, 8, 2, 1});
  err = semanticError(far);
  EXPECT_NE(err.find("filter needs 56 elements"), std::string::npos) << err;
  EXPECT_NE(err.find("loc3"), std::string::npos) << err;
  PlanTestBuilder three = conv(k3p1, {18, 6, 2, 1}, {32, 8, 2});
  EXPECT_NE(semanticError(three).find("conv2d backward-data result needs 4 "
                                      "strides"),
            std::string::npos);
  PlanTestBuilder back = conv(k3p1, {18, 6, 2, 1}, {32, 8, -2, 1});
  EXPECT_NE(semanticError(back).find("result has a negative stride"),
            std::string::npos);
  PlanTestBuilder stride0 =
      conv({0, 1, 1, 1, 1, 1}, {18, 6, 2, 1}, {32, 8, 2, 1});
  EXPECT_NE(semanticError(stride0).find("strides and dilations must be >= 1"),
            std::string::npos);
  PlanTestBuilder padFar =
      conv({1, 1, 1, 1, int64_t(1) << 50, 1}, {18, 6, 2, 1}, {32, 8, 2, 1});
  EXPECT_NE(semanticError(padFar).find("padding out of range"),
            std::string::npos);
  // A dilation whose reach needs a padded image of 2^31+ elements.
  PlanTestBuilder reach = conv({1, 1, int64_t(1) << 30, int64_t(1) << 30, 1, 1},
                               {18, 6, 2, 1}, {32, 8, 2, 1});
  EXPECT_NE(semanticError(reach).find("kernel reach too large"),
            std::string::npos);
}

} // namespace
