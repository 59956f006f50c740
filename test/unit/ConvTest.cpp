//===- ConvTest.cpp - Conv2D kernel against a naive loop ------------------===//

#include "ipuc/kernels/Conv2D.h"

#include <gtest/gtest.h>

#include <random>

using namespace ipuc::kernels;

namespace {

struct Case {
  int64_t n, h, w, c, f, kh, kw, sh, sw, dh, dw, groups;
  bool init;
  /// Threads to split the batch over.
  int threads = 1;
};

class ConvCases : public ::testing::TestWithParam<Case> {};

TEST_P(ConvCases, MatchesNaive) {
  Case p = GetParam();
  int64_t oh = (p.h - (p.kh - 1) * p.dh - 1) / p.sh + 1;
  int64_t ow = (p.w - (p.kw - 1) * p.dw - 1) / p.sw + 1;
  int64_t cg = p.c / p.groups, fg = p.f / p.groups;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> in(p.n * p.h * p.w * p.c), filt(p.f * p.kh * p.kw * cg),
      init(p.n * oh * ow * p.f), out(init.size());
  for (auto *v : {&in, &filt, &init})
    for (auto &x : *v)
      x = d(rng);
  Conv2DArgs a;
  a.input = in.data(), a.filter = filt.data(), a.result = out.data();
  a.init = p.init ? init.data() : nullptr;
  a.numThreads = p.threads;
  a.n = p.n, a.h = p.h, a.w = p.w, a.c = p.c, a.f = p.f, a.kh = p.kh,
  a.kw = p.kw;
  a.oh = oh, a.ow = ow, a.strideH = p.sh, a.strideW = p.sw;
  a.dilationH = p.dh, a.dilationW = p.dw, a.groups = p.groups;
  std::string err;
  ASSERT_TRUE(runConv2D(a, err)) << err;
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t f = 0; f < p.f; ++f) {
          int64_t g = f / fg;
          int64_t o = ((b * oh + y) * ow + x) * p.f + f;
          double acc = p.init ? init[o] : 0;
          for (int64_t ky = 0; ky < p.kh; ++ky)
            for (int64_t kx = 0; kx < p.kw; ++kx)
              for (int64_t ci = 0; ci < cg; ++ci)
                acc += double(in[((b * p.h + y * p.sh + ky * p.dh) * p.w +
                                  x * p.sw + kx * p.dw) *
                                     p.c +
                                 g * cg + ci]) *
                       filt[((f * p.kh + ky) * p.kw + kx) * cg + ci];
          ASSERT_NEAR(out[o], acc, 1e-4);
        }
}

// An array read by ValuesIn, not ::testing::Values(...): GCC 12.2 at
// -O3 -march=native with Intel tuning (rocketlake, icelake-server)
// miscompiles gtest's ValueArray::MakeVector for aggregates like Case
// (basic-block SLP), and some cases silently ran with a field changed.
const Case kCases[] = {
    Case{1, 5, 5, 3, 4, 3, 3, 1, 1, 1, 1, 1, false},
    Case{2, 9, 8, 4, 6, 3, 2, 2, 3, 1, 1, 1, true},
    Case{1, 9, 9, 2, 3, 3, 3, 1, 1, 2, 2, 1, false},
    Case{2, 6, 6, 4, 8, 3, 3, 1, 2, 1, 1, 2, true},
    Case{1, 6, 5, 6, 6, 3, 3, 1, 1, 1, 1, 6, false},
    Case{1, 4, 4, 8, 5, 1, 1, 1, 1, 1, 1, 1, false},
    // Few taps (direct loops): 27 taps, a full and a
    // partial 16-filter block, pixels not a multiple of 4.
    Case{2, 9, 11, 3, 20, 3, 3, 1, 1, 1, 1, 1, true},
    Case{1, 11, 10, 3, 16, 3, 3, 2, 1, 1, 2, 1, false},
    // Direct loops with many taps: 144 (two full blocks),
    // 290 strided and dilated (a partial block), the
    // 1152-tap limit.
    Case{2, 8, 9, 16, 32, 3, 3, 1, 1, 1, 1, 1, true},
    Case{1, 12, 11, 58, 21, 1, 5, 2, 1, 1, 2, 1, false},
    Case{1, 4, 4, 128, 3, 3, 3, 1, 1, 1, 1, 1, true},
    // Past kDirectMaxTaps (im2col GEMM): 1224 taps.
    Case{2, 5, 6, 136, 12, 3, 3, 1, 1, 1, 1, 1, true},
    Case{1, 8, 7, 136, 6, 3, 3, 2, 1, 1, 2, 1, false},
    // Enough work (> 2^20 multiply-adds) for two threads.
    Case{4, 34, 34, 8, 16, 3, 3, 1, 1, 1, 1, 1, true, 2},
    Case{8, 34, 34, 3, 16, 3, 3, 1, 1, 1, 1, 1, true, 2},
};

INSTANTIATE_TEST_SUITE_P(Shapes, ConvCases, ::testing::ValuesIn(kCases));

} // namespace
