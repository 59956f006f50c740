//===- SmallMatMulTest.cpp - The small-block f32 kernel vs a double loop --===//
//
// runMatMul sends untransposed f32 blocks of up to kSmallMatMulMaxDim rows,
// columns and depth to the register-blocked kernel (SmallMatMul.cpp). Its
// edges are where it can go wrong: 6-row blocks with 1..5 rows left over,
// 16-column blocks with 1..15 columns left over through masked loads and
// stores. Every remainder is checked against a double-precision loop, with
// and without an accumulator (separate and in place), inside a larger
// row-major matrix whose bytes between the block's rows must stay untouched.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/MatMul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace ipuc::kernels;

namespace {

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

enum class Init { none, separate, inPlace };

void checkShape(int64_t m, int64_t n, int64_t k, Init init, unsigned seed) {
  // Leading dimensions with a few elements of padding after each row.
  const int64_t lda = k + 3, ldb = n + 5, ldc = n + 7;
  auto a = randomFloats(m * lda, seed);
  auto b = randomFloats(k * ldb, seed + 1);
  auto c = randomFloats(m * ldc, seed + 2);
  auto in = randomFloats(m * ldc, seed + 3);
  const std::vector<float> before = c;
  const std::vector<float> &acc = init == Init::inPlace ? before : in;
  MatMulArgs args;
  args.lhs = a.data(), args.rhs = b.data(), args.result = c.data();
  args.init = init == Init::none      ? nullptr
              : init == Init::inPlace ? c.data()
                                      : in.data();
  args.m = m, args.n = n, args.k = k;
  args.ldLhs = lda, args.ldRhs = ldb, args.ldResult = ldc;
  std::string error;
  ASSERT_TRUE(runMatMul(args, error)) << error;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = init == Init::none ? 0.0 : acc[i * ldc + j];
      for (int64_t p = 0; p < k; ++p)
        want += double(a[i * lda + p]) * b[p * ldb + j];
      ASSERT_NEAR(c[i * ldc + j], want, 1e-5 * (k + 1))
          << m << "x" << n << "x" << k << " at (" << i << ", " << j << ")";
    }
    for (int64_t j = n; j < ldc; ++j)
      ASSERT_EQ(c[i * ldc + j], before[i * ldc + j])
          << "padding after row " << i << " of " << m << "x" << n << "x" << k
          << " written";
  }
}

TEST(SmallMatMul, EveryRowAndColumnRemainder) {
  unsigned seed = 1;
  for (int64_t m = 2; m <= 14; ++m)
    for (int64_t n = 2; n <= 41; ++n)
      for (int64_t k : {1, 9, 40})
        for (Init init : {Init::none, Init::separate, Init::inPlace}) {
          if (m + n + k < 20)
            continue; // Eigen's coefficient-based path, not this kernel
          checkShape(m, n, k, init, seed += 4);
          if (HasFatalFailure())
            return;
        }
}

TEST(SmallMatMul, EncoderTileShapesAndTheLargestTaken) {
  // Shapes a 12-layer encoder's matmul vertices have on 1472 tiles, and the
  // largest dimension the kernel takes.
  const int64_t shapes[][3] = {{64, 47, 35}, {32, 34, 12},    {43, 70, 24},
                               {13, 11, 64}, {256, 256, 256}, {255, 97, 129}};
  unsigned seed = 1000;
  for (auto [m, n, k] : shapes)
    for (Init init : {Init::none, Init::separate, Init::inPlace}) {
      checkShape(m, n, k, init, seed += 4);
      if (HasFatalFailure())
        return;
    }
}

} // namespace
