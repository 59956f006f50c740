//===- ConvBackwardDataTest.cpp - Conv2DBackwardData against naive loops --===//
//
// The input gradient from its definition: every (output pixel, tap) pair
// adds grad * filter into the input pixel its window reads, in double.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/Conv2DBackwardData.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

using namespace ipuc::kernels;

namespace {

struct Case {
  int64_t n, h, w, c, o, kh, kw, sh, sw, dh, dw, padTop, padLeft;
  /// Dimension order of the gradient and result buffers: buffer dim i holds
  /// index dim perm[i] of (n, y, x, channel).
  std::array<int64_t, 4> gradPerm, resultPerm;
  int threads = 1;
  /// The filter stored as [c, kh, kw, o] instead of [o, kh, kw, c].
  bool filterCfirst = false;
};

/// Element strides, in index order, of a dense buffer whose dims are the
/// index dims `dims` permuted by `perm`.
std::array<int64_t, 4> permutedStrides(std::array<int64_t, 4> dims,
                                       std::array<int64_t, 4> perm) {
  std::array<int64_t, 4> strides{};
  int64_t step = 1;
  for (int i = 3; i >= 0; --i) {
    strides[perm[i]] = step;
    step *= dims[perm[i]];
  }
  return strides;
}

class BackwardDataCases : public ::testing::TestWithParam<Case> {};

TEST_P(BackwardDataCases, MatchesNaive) {
  Case p = GetParam();
  // The forward output extent for an input of h with symmetric padding
  // padTop (the bottom padding does not change the gradient's definition).
  int64_t oh =
      (p.h + 2 * std::max<int64_t>(p.padTop, 0) - (p.kh - 1) * p.dh - 1) /
          p.sh +
      1;
  int64_t ow =
      (p.w + 2 * std::max<int64_t>(p.padLeft, 0) - (p.kw - 1) * p.dw - 1) /
          p.sw +
      1;
  ASSERT_GT(oh, 0);
  ASSERT_GT(ow, 0);
  std::array<int64_t, 4> gs = permutedStrides({p.n, oh, ow, p.o}, p.gradPerm);
  std::array<int64_t, 4> rs =
      permutedStrides({p.n, p.h, p.w, p.c}, p.resultPerm);
  std::array<int64_t, 4> fs =
      p.filterCfirst
          ? std::array<int64_t, 4>{1, p.kw * p.o, p.o, p.kh * p.kw * p.o}
          : std::array<int64_t, 4>{p.kh * p.kw * p.c, p.kw * p.c, p.c, 1};
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> grad(p.n * oh * ow * p.o), filt(p.o * p.kh * p.kw * p.c),
      out(p.n * p.h * p.w * p.c);
  for (auto *v : {&grad, &filt, &out})
    for (auto &x : *v)
      x = d(rng); // The result is overwritten, stale values included.
  Conv2DBackwardDataArgs a;
  a.grad = grad.data(), a.filter = filt.data(), a.result = out.data();
  a.n = p.n, a.oh = oh, a.ow = ow, a.o = p.o, a.kh = p.kh, a.kw = p.kw;
  a.c = p.c, a.h = p.h, a.w = p.w, a.strideH = p.sh, a.strideW = p.sw;
  a.dilationH = p.dh, a.dilationW = p.dw, a.padTop = p.padTop;
  a.padLeft = p.padLeft, a.numThreads = p.threads;
  for (int i = 0; i < 4; ++i) {
    a.gradStrides[i] = gs[i];
    a.filterStrides[i] = fs[i];
    a.resultStrides[i] = rs[i];
  }
  std::string err;
  ASSERT_TRUE(runConv2DBackwardData(a, err)) << err;
  std::vector<double> ref(p.n * p.h * p.w * p.c, 0.0);
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t ky = 0; ky < p.kh; ++ky)
          for (int64_t kx = 0; kx < p.kw; ++kx) {
            int64_t y = oy * p.sh + ky * p.dh - p.padTop;
            int64_t x = ox * p.sw + kx * p.dw - p.padLeft;
            if (y < 0 || y >= p.h || x < 0 || x >= p.w)
              continue;
            for (int64_t o = 0; o < p.o; ++o)
              for (int64_t c = 0; c < p.c; ++c)
                ref[((b * p.h + y) * p.w + x) * p.c + c] +=
                    double(
                        grad[b * gs[0] + oy * gs[1] + ox * gs[2] + o * gs[3]]) *
                    filt[o * fs[0] + ky * fs[1] + kx * fs[2] + c * fs[3]];
          }
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t y = 0; y < p.h; ++y)
      for (int64_t x = 0; x < p.w; ++x)
        for (int64_t c = 0; c < p.c; ++c)
          ASSERT_NEAR(out[b * rs[0] + y * rs[1] + x * rs[2] + c * rs[3]],
                      ref[((b * p.h + y) * p.w + x) * p.c + c], 1e-4)
              << "n " << b << " y " << y << " x " << x << " c " << c;
}

constexpr std::array<int64_t, 4> kNhwc = {0, 1, 2, 3};
constexpr std::array<int64_t, 4> kNchw = {0, 3, 1, 2};
constexpr std::array<int64_t, 4> kCnhw = {3, 0, 1, 2};

// An array read by ValuesIn, not ::testing::Values(...): GCC 12.2 at
// -O3 -march=native with Intel tuning (rocketlake, icelake-server)
// miscompiles gtest's ValueArray::MakeVector for aggregates like Case
// (basic-block SLP), and some cases silently ran with a field changed.
const Case kCases[] = {
    // The CNN's conv_3 input gradient, smaller: k3 p1, 16 and 20
    // channels (a full and a partial 16-lane block).
    Case{2, 8, 8, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, kNhwc, kNhwc},
    Case{2, 7, 9, 20, 6, 3, 3, 1, 1, 1, 1, 1, 1, kNhwc, kNhwc},
    // Strided (uneven: rows the forward window never reads get zero),
    // dilated, unpadded and over-padded (pad beyond the kernel's reach).
    Case{2, 11, 10, 3, 4, 3, 3, 2, 2, 1, 1, 0, 0, kNhwc, kNhwc},
    Case{1, 13, 12, 5, 7, 2, 3, 2, 1, 2, 2, 1, 2, kNhwc, kNhwc},
    Case{1, 6, 6, 4, 5, 3, 3, 1, 1, 1, 1, 3, 4, kNhwc, kNhwc},
    Case{2, 9, 9, 6, 3, 5, 1, 1, 3, 1, 1, 2, 0, kNhwc, kNhwc},
    // Permuted gradient, result and filter layouts.
    Case{2, 8, 7, 17, 9, 3, 3, 1, 1, 1, 1, 1, 1, kNchw, kNchw},
    Case{3, 6, 6, 8, 16, 3, 3, 1, 2, 1, 1, 1, 1, kCnhw, kNhwc, 1, true},
    Case{2, 6, 6, 5, 4, 1, 1, 1, 1, 1, 1, 0, 0, kNhwc, kCnhw},
    // Enough work for two threads.
    Case{8, 18, 18, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, kNhwc, kNhwc, 2},
    Case{5, 17, 16, 16, 24, 3, 3, 2, 1, 1, 2, 1, 2, kNchw, kNhwc, 2},
};

INSTANTIATE_TEST_SUITE_P(Shapes, BackwardDataCases,
                         ::testing::ValuesIn(kCases));

} // namespace
