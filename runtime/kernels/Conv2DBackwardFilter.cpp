//===- Conv2DBackwardFilter.cpp - Weight gradient as one GEMM per image ---===//
//
// The weight gradient is dW[o, k] = sum over m of g[m, o] * cols[m, k], with
// m = (n, oy, ox) running over every output position of the batch and
// k = (ky, kx, c) over the filter: the reduction is the long dimension and
// the result is the small filter. Autodiff writes it instead as a conv2d of
// the transposed input by the transposed gradient, whose GEMMs have a 3x3
// "image" as their rows and which needs both operands copied into new
// layouts first; here each image's receptive fields are unrolled once
// (im2col, reading the input through its strides) and multiplied by that
// image's gradient, read in place when its spatial positions are contiguous.
// Filters with up to kDirectMaxTaps taps run direct loops instead
// (ConvSmallK.h). Images are split over threads, each accumulating its own
// partial dW.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/Conv2DBackwardFilter.h"

#include "ConvSmallK.h"
#include "EigenMaps.h"
#include "ImageThreads.h"

#include <Eigen/Core>
#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace ipuc::kernels {
namespace {

template <typename T>
using ColMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

/// Adds images [first, last) into acc, a row-major [o x kh*kw*c] matrix.
template <typename T>
void accumulateImages(const Conv2DBackwardFilterArgs &a, const T *in,
                      const T *grad, int64_t first, int64_t last, T *acc) {
  const int64_t rows = a.oh * a.ow, cols = a.kh * a.kw * a.c;
  if (cols <= detail::kDirectMaxTaps)
    return detail::backwardFilterSmallK(a, in, grad, first, last, acc);
  const int64_t *xs = a.inputStrides, *gs = a.gradStrides;
  std::vector<T> colBuf(rows * cols);
  // The gradient of one image as an [o x oh*ow] matrix: in place when its
  // spatial positions are one run of equal stride, else packed.
  const bool gradInPlace = gs[1] == a.ow * gs[2];
  std::vector<T> gradBuf(gradInPlace ? 0 : a.o * rows);
  MMap<T> accM(acc, a.o, cols, Eigen::OuterStride<>(cols));
  for (int64_t b = first; b < last; ++b) {
    const T *img = in + b * xs[0];
    T *dst = colBuf.data();
    for (int64_t oy = 0; oy < a.oh; ++oy)
      for (int64_t ox = 0; ox < a.ow; ++ox)
        for (int64_t ky = 0; ky < a.kh; ++ky) {
          const T *row = img + (oy * a.strideH + ky * a.dilationH) * xs[1];
          // Plain loops rather than memcpy: with few channels (an RGB
          // image's 3) a call per run costs more than the copy.
          for (int64_t kx = 0; kx < a.kw; ++kx) {
            const T *src = row + (ox * a.strideW + kx * a.dilationW) * xs[2];
            if (xs[3] == 1)
              for (int64_t c = 0; c < a.c; ++c)
                dst[c] = src[c];
            else
              for (int64_t c = 0; c < a.c; ++c)
                dst[c] = src[c * xs[3]];
            dst += a.c;
          }
        }
    CMap<T> colM(colBuf.data(), rows, cols, Eigen::OuterStride<>(cols));
    const T *g = grad + b * gs[0];
    if (gradInPlace && gs[2] == 1) {
      CMap<T> gM(g, a.o, rows, Eigen::OuterStride<>(gs[3]));
      accM.noalias() += gM * colM;
    } else if (gradInPlace && gs[3] == 1) {
      // NHWC: the image's gradient is a [oh*ow x o] matrix, read transposed.
      CMap<T> gM(g, rows, a.o, Eigen::OuterStride<>(gs[2]));
      accM.noalias() += gM.transpose() * colM;
    } else if (gradInPlace) {
      using Strided = Eigen::Map<const Mat<T>, 0,
                                 Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
      Strided gM(g, a.o, rows,
                 Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(gs[3], gs[2]));
      accM.noalias() += gM * colM;
    } else {
      for (int64_t o = 0; o < a.o; ++o)
        for (int64_t oy = 0; oy < a.oh; ++oy)
          for (int64_t ox = 0; ox < a.ow; ++ox)
            gradBuf[(o * a.oh + oy) * a.ow + ox] =
                g[o * gs[3] + oy * gs[1] + ox * gs[2]];
      CMap<T> gM(gradBuf.data(), a.o, rows, Eigen::OuterStride<>(rows));
      accM.noalias() += gM * colM;
    }
  }
}

template <typename T>
void backwardFilterTyped(const Conv2DBackwardFilterArgs &a, const T *in,
                         const T *grad, T *out) {
  const int64_t cols = a.kh * a.kw * a.c, size = a.o * cols;
  const int64_t work = a.n * a.oh * a.ow * size;
  const int threads = imageThreads(a.numThreads, a.n, work);
  std::vector<T> partial(threads * size, T(0));
  if (threads == 1) {
    accumulateImages(a, in, grad, 0, a.n, partial.data());
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        accumulateImages(a, in, grad, a.n * t / threads,
                         a.n * (t + 1) / threads, partial.data() + t * size);
      });
    for (std::thread &th : pool)
      th.join();
    for (int t = 1; t < threads; ++t)
      for (int64_t i = 0; i < size; ++i)
        partial[i] += partial[t * size + i];
  }
  const int64_t *rs = a.resultStrides;
  for (int64_t o = 0; o < a.o; ++o)
    for (int64_t ky = 0; ky < a.kh; ++ky)
      for (int64_t kx = 0; kx < a.kw; ++kx)
        for (int64_t c = 0; c < a.c; ++c)
          out[o * rs[0] + ky * rs[1] + kx * rs[2] + c * rs[3]] =
              partial[o * cols + (ky * a.kw + kx) * a.c + c];
}

} // namespace

bool runConv2DBackwardFilter(const Conv2DBackwardFilterArgs &a,
                             std::string &error) {
  switch (a.dtype) {
  case plan::DType::F32:
    backwardFilterTyped<float>(a, static_cast<const float *>(a.input),
                               static_cast<const float *>(a.grad),
                               static_cast<float *>(a.result));
    return true;
  case plan::DType::F64:
    backwardFilterTyped<double>(a, static_cast<const double *>(a.input),
                                static_cast<const double *>(a.grad),
                                static_cast<double *>(a.result));
    return true;
  default:
    error = fmt::format("conv2d backward-filter does not support element "
                        "type {}",
                        static_cast<int>(a.dtype));
    return false;
  }
}

} // namespace ipuc::kernels
