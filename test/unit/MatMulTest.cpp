//===- MatMulTest.cpp - MatMul kernel against a naive loop ----------------===//

#include "ipuc/kernels/MatMul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace ipuc::kernels;

namespace {

std::vector<float> randomVec(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

struct Case {
  int64_t batch, m, n, k;
  bool tl, tr, bcastL, bcastR, init;
};

class MatMulCases : public ::testing::TestWithParam<Case> {};

TEST_P(MatMulCases, MatchesNaive) {
  Case c = GetParam();
  int64_t lb = c.bcastL ? 0 : c.m * c.k, rb = c.bcastR ? 0 : c.k * c.n;
  auto lhs = randomVec((c.bcastL ? 1 : c.batch) * c.m * c.k, 1);
  auto rhs = randomVec((c.bcastR ? 1 : c.batch) * c.k * c.n, 2);
  auto init = randomVec(c.batch * c.m * c.n, 3);
  std::vector<float> out(c.batch * c.m * c.n);
  MatMulArgs a;
  a.lhs = lhs.data();
  a.rhs = rhs.data();
  a.init = c.init ? init.data() : nullptr;
  a.result = out.data();
  a.batch = c.batch, a.m = c.m, a.n = c.n, a.k = c.k;
  a.transposeLhs = c.tl, a.transposeRhs = c.tr;
  a.lhsBatchStride = lb, a.rhsBatchStride = rb;
  std::string err;
  ASSERT_TRUE(runMatMul(a, err)) << err;
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) {
        double acc = c.init ? init[(b * c.m + i) * c.n + j] : 0;
        for (int64_t p = 0; p < c.k; ++p) {
          float l =
              c.tl ? lhs[b * lb + p * c.m + i] : lhs[b * lb + i * c.k + p];
          float r =
              c.tr ? rhs[b * rb + j * c.k + p] : rhs[b * rb + p * c.n + j];
          acc += double(l) * r;
        }
        ASSERT_NEAR(out[(b * c.m + i) * c.n + j], acc, 1e-4)
            << "b=" << b << " i=" << i << " j=" << j;
      }
}

// An array read by ValuesIn, not ::testing::Values(...): GCC 12.2 at
// -O3 -march=native with Intel tuning (rocketlake, icelake-server)
// miscompiles gtest's ValueArray::MakeVector for aggregates like Case
// (basic-block SLP), and some cases silently ran with a field changed.
const Case kCases[] = {
    Case{1, 3, 4, 5, false, false, false, false, false},
    Case{1, 33, 17, 65, true, false, false, false, true},
    Case{1, 8, 9, 10, false, true, false, false, false},
    Case{1, 7, 6, 5, true, true, false, false, true},
    Case{3, 4, 5, 6, false, false, true, false, false},
    Case{3, 4, 5, 6, false, true, false, true, true},
    Case{2, 1, 1, 0, false, false, false, false, true},
};

INSTANTIATE_TEST_SUITE_P(Shapes, MatMulCases, ::testing::ValuesIn(kCases));

TEST(MatMul, Int32) {
  std::vector<int32_t> l = {1, 2, 3, 4}, r = {5, 6, 7, 8}, o(4);
  MatMulArgs a;
  a.dtype = ipuc::plan::DType::I32;
  a.lhs = l.data(), a.rhs = r.data(), a.result = o.data();
  a.m = a.n = a.k = 2;
  std::string err;
  ASSERT_TRUE(runMatMul(a, err));
  EXPECT_EQ(o, (std::vector<int32_t>{19, 22, 43, 50}));
}

// The simulator hands a MatMul vertex the rows of a block of a larger
// row-major matrix through the leading dimensions instead of packing them
// (runtime/sim/InPlaceOperands.cpp), and promises the same bytes: Eigen packs
// its panels from either layout and then runs the same arithmetic, for the
// shapes matMulStridesExact admits. Checked bit for bit against packed
// copies, and against the naive loop, over the shapes a partitioned
// encoder's tiles see (up to 64 rows, both transposes, with and without an
// accumulator in place).
TEST(MatMul, LeadingDimensionsGiveThePackedBytes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dim(1, 64), pad(0, 9), coin(0, 1);
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t m = dim(rng), n = dim(rng), k = dim(rng);
    if (!matMulStridesExact(ipuc::plan::DType::F32, m, n, k))
      continue;
    ++checked;
    const bool tl = coin(rng), tr = coin(rng), acc = coin(rng);
    const int64_t lr = tl ? k : m, lc = tl ? m : k; // lhs rows, columns
    const int64_t rr = tr ? n : k, rc = tr ? k : n;
    const int64_t ldl = lc + pad(rng), ldr = rc + pad(rng), ldc = n + pad(rng);
    auto lhs = randomVec(lr * ldl, trial * 3 + 1);
    auto rhs = randomVec(rr * ldr, trial * 3 + 2);
    auto out = randomVec(m * ldc, trial * 3 + 3);
    const std::vector<float> initialOut = out;
    // Packed copies of the blocks.
    auto pack = [](const std::vector<float> &v, int64_t rows, int64_t cols,
                   int64_t ld) {
      std::vector<float> p(rows * cols);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          p[i * cols + j] = v[i * ld + j];
      return p;
    };
    auto pl = pack(lhs, lr, lc, ldl), pr = pack(rhs, rr, rc, ldr);
    auto pc = pack(out, m, n, ldc);
    std::vector<float> initial = pc;
    MatMulArgs a;
    a.m = m, a.n = n, a.k = k, a.transposeLhs = tl, a.transposeRhs = tr;
    MatMulArgs packed = a, strided = a;
    packed.lhs = pl.data(), packed.rhs = pr.data(), packed.result = pc.data();
    packed.init = acc ? pc.data() : nullptr;
    strided.lhs = lhs.data(), strided.rhs = rhs.data();
    strided.result = out.data(), strided.init = acc ? out.data() : nullptr;
    strided.ldLhs = ldl, strided.ldRhs = ldr, strided.ldResult = ldc;
    std::string err;
    ASSERT_TRUE(runMatMul(packed, err)) << err;
    ASSERT_TRUE(runMatMul(strided, err)) << err;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float s = out[i * ldc + j], p = pc[i * n + j];
        ASSERT_EQ(0, std::memcmp(&s, &p, sizeof(float)))
            << "trial " << trial << " m=" << m << " n=" << n << " k=" << k
            << " i=" << i << " j=" << j;
        double want = acc ? initial[i * n + j] : 0;
        for (int64_t q = 0; q < k; ++q)
          want += double(tl ? pl[q * m + i] : pl[i * k + q]) *
                  (tr ? pr[j * k + q] : pr[q * n + j]);
        ASSERT_NEAR(s, want, 1e-4);
      }
    // The bytes between the rows of the blocks are left alone.
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = n; j < ldc; ++j)
        ASSERT_EQ(out[i * ldc + j], initialOut[i * ldc + j]);
  }
  EXPECT_GT(checked, 300);
  // Where it says no, the bytes can differ: a shape on the coefficient-based
  // path, found by this test before the predicate existed.
  EXPECT_FALSE(matMulStridesExact(ipuc::plan::DType::F32, 7, 4, 7));
  EXPECT_FALSE(matMulStridesExact(ipuc::plan::DType::F32, 1, 40, 40));
  EXPECT_FALSE(matMulStridesExact(ipuc::plan::DType::F16, 40, 40, 40));
}

// runMatMul sends untransposed f32 blocks of up to kSmallMatMulMaxDim rows,
// columns and depth to the register-blocked kernel (SmallMatMul.cpp). Its
// edges are where it can go wrong: 6-row blocks with 1..5 rows left over,
// 16- or 32-column blocks (AVX2, AVX-512) with 1..31 columns left over
// through masked loads and stores (n runs to 41). Every remainder is checked
// against a double-precision loop, with and without an accumulator (separate
// and in place), inside a larger row-major matrix whose bytes between the
// block's rows must stay untouched.
enum class Init { none, separate, inPlace };

void checkShape(int64_t m, int64_t n, int64_t k, Init init, unsigned seed) {
  // Leading dimensions with a few elements of padding after each row.
  const int64_t lda = k + 3, ldb = n + 5, ldc = n + 7;
  auto a = randomVec(m * lda, seed);
  auto b = randomVec(k * ldb, seed + 1);
  auto c = randomVec(m * ldc, seed + 2);
  auto in = randomVec(m * ldc, seed + 3);
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
