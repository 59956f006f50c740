//===- CopyTest.cpp - Strided copy and fill -------------------------------===//

#include "ipuc/kernels/Copy.h"
#include "ipuc/kernels/Half.h"

#include <gtest/gtest.h>

using namespace ipuc::kernels;

TEST(Copy, ContiguousReshape) {
  std::vector<int32_t> src(24), dst(24, -1);
  for (int i = 0; i < 24; ++i)
    src[i] = i;
  int64_t sizes[] = {2, 3, 4}, st[] = {12, 4, 1};
  runCopy(src.data(), dst.data(), 4, 3, sizes, 0, st, 0, st);
  EXPECT_EQ(src, dst);
}

TEST(Copy, TransposeSliceAndPad) {
  // src 3x4; copy the 2x3 slice starting at (1,1), transposed, into a 5x4
  // destination at offset (1, 1).
  std::vector<double> src(12), dst(20, 0);
  for (int i = 0; i < 12; ++i)
    src[i] = i;
  int64_t sizes[] = {2, 3}, ss[] = {4, 1}, ds[] = {1, 4};
  runCopy(src.data(), dst.data(), 8, 2, sizes, 5, ss, 5, ds);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(dst[5 + i + 4 * j], src[5 + 4 * i + j]);
  EXPECT_EQ(dst[0], 0);
}

TEST(Copy, BroadcastAndScalarAndEmpty) {
  std::vector<int8_t> src = {7, 9}, dst(6);
  int64_t sizes[] = {3, 2}, ss[] = {0, 1}, ds[] = {2, 1};
  runCopy(src.data(), dst.data(), 1, 2, sizes, 0, ss, 0, ds);
  EXPECT_EQ(dst, (std::vector<int8_t>{7, 9, 7, 9, 7, 9}));
  runCopy(src.data(), dst.data(), 1, 0, nullptr, 1, nullptr, 0, nullptr);
  EXPECT_EQ(dst[0], 9);
  int64_t empty[] = {0, 2};
  runCopy(src.data(), dst.data(), 1, 2, empty, 0, ss, 0, ds);
}

TEST(Fill, AllTypes) {
  std::vector<float> f(3);
  runFill(f.data(), ipuc::plan::DType::F32, 3, 1.5, 0);
  EXPECT_EQ(f, (std::vector<float>{1.5, 1.5, 1.5}));
  std::vector<int32_t> i(2);
  runFill(i.data(), ipuc::plan::DType::I32, 2, 0, -7);
  EXPECT_EQ(i, (std::vector<int32_t>{-7, -7}));
  std::vector<uint16_t> h(2);
  runFill(h.data(), ipuc::plan::DType::F16, 2, -2.0, 0);
  EXPECT_EQ(halfToFloat(h[1]), -2.0f);
  std::vector<uint8_t> b(2);
  runFill(b.data(), ipuc::plan::DType::I1, 2, 0, 1);
  EXPECT_EQ(b[0], 1);
}
