//===- ConvBackwardFilterTest.cpp - Weight-gradient kernel vs a naive loop ===//
//
// Both paths of Conv2DBackwardFilter (the direct loops for few taps, the
// im2col GEMM otherwise), with the gradient and input in NHWC and permuted
// layouts, channel counts off the 16-channel block and tap counts off the
// 6-tap block, strides and dilations.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/Conv2DBackwardFilter.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

using namespace ipuc::kernels;

namespace {

struct Case {
  int64_t n, h, w, c, o, kh, kw, sh, sw, dh, dw;
  /// Dimension order of the gradient and input buffers: buffer dim i holds
  /// index dim perm[i] of (n, y, x, channel).
  std::array<int64_t, 4> gradPerm, inputPerm;
  int threads = 1;
};

/// Element strides, in (n, y, x, channel) order, of a dense buffer whose
/// dims are those sizes permuted by perm.
std::array<int64_t, 4> stridesOf(const std::array<int64_t, 4> &sizes,
                                 const std::array<int64_t, 4> &perm) {
  std::array<int64_t, 4> strides{};
  int64_t stride = 1;
  for (int i = 3; i >= 0; --i) {
    strides[perm[i]] = stride;
    stride *= sizes[perm[i]];
  }
  return strides;
}

class BackwardFilterCases : public ::testing::TestWithParam<Case> {};

TEST_P(BackwardFilterCases, MatchesNaive) {
  Case p = GetParam();
  int64_t oh = (p.h - (p.kh - 1) * p.dh - 1) / p.sh + 1;
  int64_t ow = (p.w - (p.kw - 1) * p.dw - 1) / p.sw + 1;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> in(p.n * p.h * p.w * p.c), grad(p.n * oh * ow * p.o),
      out(p.o * p.kh * p.kw * p.c, 7.0f);
  for (auto *v : {&in, &grad})
    for (auto &x : *v)
      x = d(rng);
  auto xs = stridesOf({p.n, p.h, p.w, p.c}, p.inputPerm);
  auto gs = stridesOf({p.n, oh, ow, p.o}, p.gradPerm);
  Conv2DBackwardFilterArgs a;
  a.input = in.data(), a.grad = grad.data(), a.result = out.data();
  a.n = p.n, a.h = p.h, a.w = p.w, a.c = p.c, a.o = p.o, a.kh = p.kh;
  a.kw = p.kw, a.oh = oh, a.ow = ow, a.strideH = p.sh, a.strideW = p.sw;
  a.dilationH = p.dh, a.dilationW = p.dw, a.numThreads = p.threads;
  for (int i = 0; i < 4; ++i) {
    a.inputStrides[i] = xs[i];
    a.gradStrides[i] = gs[i];
  }
  // The result dense in [o, ky, kx, c] order.
  int64_t rs[4] = {p.kh * p.kw * p.c, p.kw * p.c, p.c, 1};
  for (int i = 0; i < 4; ++i)
    a.resultStrides[i] = rs[i];
  std::string err;
  ASSERT_TRUE(runConv2DBackwardFilter(a, err)) << err;
  for (int64_t o = 0; o < p.o; ++o)
    for (int64_t ky = 0; ky < p.kh; ++ky)
      for (int64_t kx = 0; kx < p.kw; ++kx)
        for (int64_t c = 0; c < p.c; ++c) {
          double acc = 0;
          for (int64_t b = 0; b < p.n; ++b)
            for (int64_t y = 0; y < oh; ++y)
              for (int64_t x = 0; x < ow; ++x)
                acc +=
                    double(
                        grad[b * gs[0] + y * gs[1] + x * gs[2] + o * gs[3]]) *
                    in[b * xs[0] + (y * p.sh + ky * p.dh) * xs[1] +
                       (x * p.sw + kx * p.dw) * xs[2] + c * xs[3]];
          ASSERT_NEAR(out[o * rs[0] + ky * rs[1] + kx * rs[2] + c], acc, 1e-3)
              << "o " << o << " ky " << ky << " kx " << kx << " c " << c;
        }
}

constexpr std::array<int64_t, 4> kNhwc = {0, 1, 2, 3};
constexpr std::array<int64_t, 4> kNchw = {0, 3, 1, 2};
constexpr std::array<int64_t, 4> kCnhw = {3, 0, 1, 2};

// An array read by ValuesIn, not ::testing::Values(...): GCC 12.2 at
// -O3 -march=native with Intel tuning (rocketlake, icelake-server)
// miscompiles gtest's ValueArray::MakeVector for aggregates like Case
// (basic-block SLP), and some cases silently ran with a field changed.
const Case kCases[] = {
    // Few taps (direct loops): 27 taps, 16 and 20 filters (a partial
    // block), NHWC and NCHW gradients.
    Case{2, 10, 10, 3, 16, 3, 3, 1, 1, 1, 1, kNhwc, kNhwc},
    Case{2, 10, 9, 3, 20, 3, 3, 1, 1, 1, 1, kNchw, kNhwc},
    // Strided, dilated, 8 taps (one partial 6-tap block after a full one).
    Case{3, 11, 12, 2, 5, 2, 2, 2, 3, 2, 1, kNhwc, kNchw},
    Case{1, 7, 7, 1, 33, 1, 1, 1, 1, 1, 1, kCnhw, kNhwc},
    // Direct loops with many taps: 144 (24 full 6-tap blocks), 72 and
    // 290 (a partial block), NHWC, NCHW and permuted gradients, strided
    // and dilated, partial filter blocks.
    Case{2, 8, 8, 16, 12, 3, 3, 1, 1, 1, 1, kNhwc, kNhwc},
    Case{2, 8, 8, 16, 12, 3, 3, 1, 1, 1, 1, kNchw, kNhwc},
    Case{2, 9, 9, 8, 6, 3, 3, 2, 2, 1, 1, kCnhw, kNchw},
    Case{2, 11, 10, 58, 21, 1, 5, 2, 1, 1, 2, kNhwc, kNhwc},
    // Past kDirectMaxTaps (im2col GEMM): 1224 taps, NHWC, NCHW and
    // permuted gradients, strided and dilated.
    Case{2, 5, 6, 136, 12, 3, 3, 1, 1, 1, 1, kNhwc, kNhwc},
    Case{1, 6, 5, 136, 7, 3, 3, 1, 1, 1, 1, kNchw, kNhwc},
    Case{2, 8, 7, 136, 6, 3, 3, 2, 1, 1, 2, kCnhw, kNchw},
    // Enough work for two threads, each with its own partial sum.
    Case{8, 34, 34, 3, 16, 3, 3, 1, 1, 1, 1, kNhwc, kNhwc, 2},
    Case{4, 18, 18, 16, 32, 3, 3, 1, 1, 1, 1, kNhwc, kNhwc, 2},
};

INSTANTIATE_TEST_SUITE_P(Shapes, BackwardFilterCases,
                         ::testing::ValuesIn(kCases));

} // namespace
