//===- Conv2D.cpp - Convolution as im2col + Eigen GEMM --------------------===//
//
// For each image and group, the receptive fields are unrolled into a matrix
// of (oh*ow) rows by (kh*kw*cg) columns, matching the FHWC filter's row
// layout, so the convolution is one GEMM: out_g = cols x filter_g^T. A 1x1,
// stride-1, ungrouped convolution skips the unrolling: the input already is
// that matrix. Ungrouped convolutions with up to kDirectMaxTaps taps per
// output run direct loops instead (ConvSmallK.h). Images are split over
// threads.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/Conv2D.h"
#include "ipuc/kernels/Half.h"

#include "ConvSmallK.h"
#include "EigenMaps.h"
#include "ImageThreads.h"

#include <Eigen/Core>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

namespace ipuc::kernels {
namespace {

/// Images [first, last) of the batch.
template <typename T>
void convImages(const Conv2DArgs &a, const T *in, const T *filt, T *out,
                int64_t first, int64_t last) {
  if (a.groups == 1 && a.kh * a.kw * a.c <= detail::kDirectMaxTaps)
    return detail::convSmallK(a, in, filt, out, first, last);
  const int64_t cg = a.c / a.groups, fg = a.f / a.groups;
  const int64_t rows = a.oh * a.ow, cols = a.kh * a.kw * cg;
  const int64_t outImage = rows * a.f, inImage = a.h * a.w * a.c;
  const bool direct = a.kh == 1 && a.kw == 1 && a.strideH == 1 &&
                      a.strideW == 1 && a.groups == 1 && a.oh == a.h &&
                      a.ow == a.w;
  std::vector<T> colBuf(direct ? 0 : rows * cols);
  for (int64_t b = first; b < last; ++b) {
    const T *img = in + b * inImage;
    for (int64_t g = 0; g < a.groups; ++g) {
      const T *colData = img;
      int64_t ldCol = a.c;
      if (!direct) {
        T *dst = colBuf.data();
        // Plain loops rather than memcpy: with few channels (an RGB
        // image's 3) a call per run costs more than the copy.
        for (int64_t oy = 0; oy < a.oh; ++oy)
          for (int64_t ox = 0; ox < a.ow; ++ox)
            for (int64_t ky = 0; ky < a.kh; ++ky) {
              int64_t iy = oy * a.strideH + ky * a.dilationH;
              for (int64_t kx = 0; kx < a.kw; ++kx) {
                int64_t ix = ox * a.strideW + kx * a.dilationW;
                const T *src = img + (iy * a.w + ix) * a.c + g * cg;
                for (int64_t c = 0; c < cg; ++c)
                  dst[c] = src[c];
                dst += cg;
              }
            }
        colData = colBuf.data();
        ldCol = cols;
      }
      CMap<T> colM(colData, rows, cols, Eigen::OuterStride<>(ldCol));
      CMap<T> filtM(filt + g * fg * cols, fg, cols, Eigen::OuterStride<>(cols));
      MMap<T> outM(out + b * outImage + g * fg, rows, fg,
                   Eigen::OuterStride<>(a.f));
      outM.noalias() += colM * filtM.transpose();
    }
  }
}

template <typename T>
void convTyped(const Conv2DArgs &a, const T *in, const T *filt, const T *init,
               T *out) {
  const int64_t outImage = a.oh * a.ow * a.f;
  if (init && init != out)
    std::memcpy(out, init, sizeof(T) * a.n * outImage);
  else if (!init)
    std::fill_n(out, a.n * outImage, T(0));
  // Images are independent: split them over threads.
  const int64_t work = a.n * outImage * a.kh * a.kw * (a.c / a.groups);
  const int threads = imageThreads(a.numThreads, a.n, work);
  if (threads == 1)
    return convImages(a, in, filt, out, 0, a.n);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      convImages(a, in, filt, out, a.n * t / threads, a.n * (t + 1) / threads);
    });
  for (std::thread &th : pool)
    th.join();
}

std::vector<float> widen(const void *p, int64_t count, bool bf16) {
  std::vector<float> out(count);
  const uint16_t *s = static_cast<const uint16_t *>(p);
  for (int64_t i = 0; i < count; ++i)
    out[i] = bf16 ? bf16ToFloat(s[i]) : halfToFloat(s[i]);
  return out;
}

} // namespace

bool runConv2D(const Conv2DArgs &a, std::string &error) {
  if (a.n <= 0 || a.oh <= 0 || a.ow <= 0 || a.f <= 0)
    return true;
  switch (a.dtype) {
  case plan::DType::F32:
    convTyped<float>(a, static_cast<const float *>(a.input),
                     static_cast<const float *>(a.filter),
                     static_cast<const float *>(a.init),
                     static_cast<float *>(a.result));
    return true;
  case plan::DType::F64:
    convTyped<double>(a, static_cast<const double *>(a.input),
                      static_cast<const double *>(a.filter),
                      static_cast<const double *>(a.init),
                      static_cast<double *>(a.result));
    return true;
  case plan::DType::F16:
  case plan::DType::BF16: {
    bool bf = a.dtype == plan::DType::BF16;
    int64_t outCount = a.n * a.oh * a.ow * a.f;
    std::vector<float> in = widen(a.input, a.n * a.h * a.w * a.c, bf);
    std::vector<float> filt =
        widen(a.filter, a.f * a.kh * a.kw * (a.c / a.groups), bf);
    std::vector<float> out = a.init ? widen(a.init, outCount, bf)
                                    : std::vector<float>(outCount, 0.0f);
    convTyped<float>(a, in.data(), filt.data(), out.data(), out.data());
    uint16_t *dst = static_cast<uint16_t *>(a.result);
    for (int64_t i = 0; i < outCount; ++i)
      dst[i] = bf ? floatToBf16(out[i]) : floatToHalf(out[i]);
    return true;
  }
  default:
    error = fmt::format("conv2d does not support element type {}",
                        static_cast<int>(a.dtype));
    return false;
  }
}

} // namespace ipuc::kernels
