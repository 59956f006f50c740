//===- MatMulTest.cpp - MatMul kernel against a naive loop ----------------===//

#include "ipuc/kernels/MatMul.h"

#include <gtest/gtest.h>

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
          float l = c.tl ? lhs[b * lb + p * c.m + i] : lhs[b * lb + i * c.k + p];
          float r = c.tr ? rhs[b * rb + j * c.k + p] : rhs[b * rb + p * c.n + j];
          acc += double(l) * r;
        }
        ASSERT_NEAR(out[(b * c.m + i) * c.n + j], acc, 1e-4)
            << "b=" << b << " i=" << i << " j=" << j;
      }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MatMulCases,
    ::testing::Values(Case{1, 3, 4, 5, false, false, false, false, false},
                      Case{1, 33, 17, 65, true, false, false, false, true},
                      Case{1, 8, 9, 10, false, true, false, false, false},
                      Case{1, 7, 6, 5, true, true, false, false, true},
                      Case{3, 4, 5, 6, false, false, true, false, false},
                      Case{3, 4, 5, 6, false, true, false, true, true},
                      Case{2, 1, 1, 0, false, false, false, false, true}));

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

} // namespace
