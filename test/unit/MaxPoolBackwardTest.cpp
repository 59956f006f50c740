//===- MaxPoolBackwardTest.cpp - Max-pool gradient kernel vs a naive loop -===//
//
// MaxPool2DBackward against a naive loop over the 4-d image written from
// the kernel's definition (the fused Generic's body): NHWC and NCHW
// buffers (the channel-stride-1 path and the strided one), with and without
// the ReLU mask, f32 and f64, several threads, and inputs drawn from a few
// values so that windows have ties (every tied element gets the gradient),
// plus NaN and infinities (0 * inf is NaN, 0 * -g is -0), compared bitwise.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/MaxPool2DBackward.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace ipuc::kernels;

namespace {

struct Case {
  int64_t n, oh, ow, c, kh, kw;
  bool nchw, masked, f64;
  int threads = 1;
};

/// Strides of (n, y, x, channel) in a dense NHWC or NCHW buffer.
std::array<int64_t, 4> layout(int64_t h, int64_t w, int64_t c, bool nchw) {
  if (nchw)
    return {c * h * w, w, 1, h * w};
  return {h * w * c, w * c, c, 1};
}

template <typename T> void runCase(const Case &p) {
  const int64_t h = p.oh * p.kh, w = p.ow * p.kw;
  std::mt19937 rng(5 + p.n * 7 + p.c);
  // Few distinct values: windows often hold their maximum twice.
  const T values[] = {-1, 0, 0.5, 1, 2};
  std::uniform_int_distribution<int> pick(0, 4);
  std::uniform_real_distribution<double> real(-2, 2);
  std::vector<T> x(p.n * h * w * p.c), mask(x.size()), out(x.size(), T(7));
  std::vector<T> mx(p.n * p.oh * p.ow * p.c), g(mx.size());
  for (T &v : x)
    v = values[pick(rng)];
  for (T &v : mask)
    v = values[pick(rng)] - T(0.5) * (pick(rng) == 0);
  for (T &v : g)
    v = static_cast<T>(real(rng));
  auto fine = layout(h, w, p.c, p.nchw);
  auto pooled = layout(p.oh, p.ow, p.c, p.nchw);
  auto at = [](const std::array<int64_t, 4> &s, int64_t n, int64_t y, int64_t x,
               int64_t c) { return n * s[0] + y * s[1] + x * s[2] + c * s[3]; };
  // The window maximum, except for a few pooled elements whose "max" is a
  // value no input has (so nothing matches), and special values.
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t oy = 0; oy < p.oh; ++oy)
      for (int64_t ox = 0; ox < p.ow; ++ox)
        for (int64_t c = 0; c < p.c; ++c) {
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t ky = 0; ky < p.kh; ++ky)
            for (int64_t kx = 0; kx < p.kw; ++kx)
              m = std::max(m,
                           x[at(fine, n, oy * p.kh + ky, ox * p.kw + kx, c)]);
          mx[at(pooled, n, oy, ox, c)] = pick(rng) == 0 ? T(9) : m;
        }
  x[0] = std::numeric_limits<T>::quiet_NaN();
  mx[0] = std::numeric_limits<T>::quiet_NaN();
  g[g.size() / 2] = std::numeric_limits<T>::infinity();
  g[g.size() / 3] = -std::numeric_limits<T>::infinity();
  mask[mask.size() / 2] = std::numeric_limits<T>::quiet_NaN();

  MaxPool2DBackwardArgs a;
  a.dtype = p.f64 ? ipuc::plan::DType::F64 : ipuc::plan::DType::F32;
  a.input = x.data(), a.max = mx.data(), a.grad = g.data();
  a.mask = p.masked ? mask.data() : nullptr;
  a.result = out.data();
  a.n = p.n, a.oh = p.oh, a.ow = p.ow, a.c = p.c, a.kh = p.kh, a.kw = p.kw;
  // Index (n, oh, ow, c, kh, kw) of a fine operand is element
  // (n, oh * kh_size + kh, ow * kw_size + kw, c) of its image.
  const int64_t fs[6] = {fine[0], fine[1] * p.kh, fine[2] * p.kw,
                         fine[3], fine[1],        fine[2]};
  for (int i = 0; i < 6; ++i)
    a.inputStrides[i] = a.maskStrides[i] = a.resultStrides[i] = fs[i];
  for (int i = 0; i < 4; ++i)
    a.maxStrides[i] = a.gradStrides[i] = pooled[i];
  a.numThreads = p.threads;
  std::string error;
  ASSERT_TRUE(runMaxPool2DBackward(a, error)) << error;

  std::vector<T> want(x.size(), T(7));
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t xx = 0; xx < w; ++xx)
        for (int64_t c = 0; c < p.c; ++c) {
          int64_t i = at(fine, n, y, xx, c);
          int64_t q = at(pooled, n, y / p.kh, xx / p.kw, c);
          T v = (x[i] == mx[q] ? T(1) : T(0)) * g[q];
          if (p.masked)
            v = v * (mask[i] >= T(0) ? T(1) : T(0));
          want[i] = v;
        }
  ASSERT_EQ(0, std::memcmp(want.data(), out.data(), want.size() * sizeof(T)));
  // Windows with a tie occur (else the test would not show that every tied
  // element gets the gradient) whenever a window has room for one.
  std::vector<int> matches(mx.size(), 0);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t xx = 0; xx < w; ++xx)
        for (int64_t c = 0; c < p.c; ++c) {
          int64_t q = at(pooled, n, y / p.kh, xx / p.kw, c);
          matches[q] += x[at(fine, n, y, xx, c)] == mx[q];
        }
  if (p.kh * p.kw > 1 && mx.size() > 8)
    EXPECT_GT(std::count_if(matches.begin(), matches.end(),
                            [](int m) { return m > 1; }),
              0);
}

class MaxPoolBackwardCases : public ::testing::TestWithParam<Case> {};

TEST_P(MaxPoolBackwardCases, MatchesNaive) {
  if (GetParam().f64)
    runCase<double>(GetParam());
  else
    runCase<float>(GetParam());
}

// An array read by ValuesIn, not ::testing::Values(...): GCC 12.2 at
// -O3 -march=native with Intel tuning (rocketlake, icelake-server)
// miscompiles gtest's ValueArray::MakeVector for aggregates like Case
// (basic-block SLP), and some cases silently ran with a field changed.
const Case kCases[] = {
    // The CNN's pool (smaller batch): NHWC, masked.
    Case{2, 16, 16, 16, 2, 2, false, true, false},
    Case{3, 5, 7, 3, 2, 2, false, false, false},
    Case{2, 4, 3, 5, 3, 2, true, true, false},
    Case{1, 3, 3, 17, 2, 3, true, false, false},
    Case{2, 6, 5, 9, 2, 2, false, true, true},
    Case{1, 1, 1, 1, 1, 1, false, true, false},
    // Large enough to split over threads (2^17 elements).
    Case{4, 16, 16, 32, 2, 2, false, true, false, 2},
    Case{5, 16, 16, 32, 2, 2, true, true, false, 3},
};

INSTANTIATE_TEST_SUITE_P(Shapes, MaxPoolBackwardCases,
                         ::testing::ValuesIn(kCases));

TEST(MaxPoolBackward, RejectsIntegers) {
  MaxPool2DBackwardArgs a;
  a.dtype = ipuc::plan::DType::I32;
  std::string error;
  EXPECT_FALSE(runMaxPool2DBackward(a, error));
  EXPECT_NE(error.find("element type"), std::string::npos) << error;
}

} // namespace
