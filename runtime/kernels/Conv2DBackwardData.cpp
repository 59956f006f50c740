//===- Conv2DBackwardData.cpp - Input gradient as a direct convolution ----===//
//
// The input gradient of a convolution is a stride-1 correlation of the
// output gradient, spread out by the forward stride and zero-padded by the
// dilated kernel's reach, with the spatially flipped, in/out-swapped filter.
// Autodiff writes exactly that as tensors: two flips and a transpose of the
// filter, a pad (a fill and a copy of the whole gradient), a zero init and a
// conv2d. Here each image's gradient is spread and padded into a small
// buffer that stays in cache, the filter is flipped once while it is packed
// for the direct register-blocked loops (ConvSmallK.h), and each image's
// result is written in place when its pixels are contiguous. Images are
// split over threads.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/Conv2DBackwardData.h"

#include "ConvSmallK.h"
#include "ImageThreads.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace ipuc::kernels {
namespace {

/// Images [first, last) of the batch; wt is the flipped filter packed by
/// packDirectFilter.
template <typename T>
void backwardDataImages(const Conv2DBackwardDataArgs &a, const T *grad,
                        const T *wt, T *result, int64_t first, int64_t last) {
  const int64_t *gs = a.gradStrides, *rs = a.resultStrides;
  // The padded, spread gradient of one image, [hs, ws, o]: output gradient
  // (oy, ox) lands at (oy * stride + reach - pad), reach = (k - 1) * dilation.
  const int64_t reachH = (a.kh - 1) * a.dilationH;
  const int64_t reachW = (a.kw - 1) * a.dilationW;
  const int64_t hs = a.h + reachH, ws = a.w + reachW;
  detail::DirectConvShape s{hs,  ws,  a.o, a.c, a.kh,        a.kw,
                            a.h, a.w, 1,   1,   a.dilationH, a.dilationW};
  std::vector<T> spread(hs * ws * a.o);
  const bool inPlace = rs[3] == 1 && rs[2] == a.c && rs[1] == a.w * a.c;
  std::vector<T> image(inPlace ? 0 : a.h * a.w * a.c);
  for (int64_t b = first; b < last; ++b) {
    std::fill(spread.begin(), spread.end(), T(0));
    const T *g = grad + b * gs[0];
    for (int64_t oy = 0; oy < a.oh; ++oy) {
      int64_t y = oy * a.strideH + reachH - a.padTop;
      if (y < 0 || y >= hs)
        continue;
      for (int64_t ox = 0; ox < a.ow; ++ox) {
        int64_t x = ox * a.strideW + reachW - a.padLeft;
        if (x < 0 || x >= ws)
          continue;
        const T *src = g + oy * gs[1] + ox * gs[2];
        T *dst = spread.data() + (y * ws + x) * a.o;
        for (int64_t o = 0; o < a.o; ++o)
          dst[o] = src[o * gs[3]];
      }
    }
    T *out = inPlace ? result + b * rs[0] : image.data();
    std::fill_n(out, a.h * a.w * a.c, T(0));
    detail::convImageDirect(s, spread.data(), wt, out);
    if (inPlace)
      continue;
    T *dst = result + b * rs[0];
    for (int64_t y = 0; y < a.h; ++y)
      for (int64_t x = 0; x < a.w; ++x)
        for (int64_t c = 0; c < a.c; ++c)
          dst[y * rs[1] + x * rs[2] + c * rs[3]] =
              image[(y * a.w + x) * a.c + c];
  }
}

template <typename T>
void backwardDataTyped(const Conv2DBackwardDataArgs &a, const T *grad,
                       const T *filter, T *result) {
  if (a.oh <= 0 || a.ow <= 0 || a.o <= 0 || a.kh <= 0 || a.kw <= 0) {
    // Nothing reaches the input: its gradient is zero.
    const int64_t *rs = a.resultStrides;
    for (int64_t b = 0; b < a.n; ++b)
      for (int64_t y = 0; y < a.h; ++y)
        for (int64_t x = 0; x < a.w; ++x)
          for (int64_t c = 0; c < a.c; ++c)
            result[b * rs[0] + y * rs[1] + x * rs[2] + c * rs[3]] = T(0);
    return;
  }
  // The correlation's filter: c filters of (ky, kx, o) taps, the window
  // flipped, flipped[c][ky][kx][o] = filter[o][kh-1-ky][kw-1-kx][c].
  const int64_t taps = a.kh * a.kw * a.o;
  const int64_t *fs = a.filterStrides;
  std::vector<T> flipped(a.c * taps);
  for (int64_t c = 0; c < a.c; ++c)
    for (int64_t ky = 0; ky < a.kh; ++ky)
      for (int64_t kx = 0; kx < a.kw; ++kx)
        for (int64_t o = 0; o < a.o; ++o)
          flipped[((c * a.kh + ky) * a.kw + kx) * a.o + o] =
              filter[o * fs[0] + (a.kh - 1 - ky) * fs[1] +
                     (a.kw - 1 - kx) * fs[2] + c * fs[3]];
  const int64_t packStrides[2] = {taps, 1};
  std::vector<T> wt =
      detail::packDirectFilter(flipped.data(), a.c, taps, packStrides);
  const int64_t work = a.n * a.h * a.w * a.c * taps;
  const int threads = imageThreads(a.numThreads, a.n, work);
  if (threads == 1)
    return backwardDataImages(a, grad, wt.data(), result, 0, a.n);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      backwardDataImages(a, grad, wt.data(), result, a.n * t / threads,
                         a.n * (t + 1) / threads);
    });
  for (std::thread &th : pool)
    th.join();
}

} // namespace

bool runConv2DBackwardData(const Conv2DBackwardDataArgs &a,
                           std::string &error) {
  if (a.n <= 0 || a.h <= 0 || a.w <= 0 || a.c <= 0)
    return true;
  switch (a.dtype) {
  case plan::DType::F32:
    backwardDataTyped<float>(a, static_cast<const float *>(a.grad),
                             static_cast<const float *>(a.filter),
                             static_cast<float *>(a.result));
    return true;
  case plan::DType::F64:
    backwardDataTyped<double>(a, static_cast<const double *>(a.grad),
                              static_cast<const double *>(a.filter),
                              static_cast<double *>(a.result));
    return true;
  default:
    error = fmt::format("conv2d backward-data does not support element type "
                        "{}",
                        static_cast<int>(a.dtype));
    return false;
  }
}

} // namespace ipuc::kernels
