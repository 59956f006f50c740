//===- ConvSmallK.cpp - Direct loops for convolutions with few taps ------===//
//
// Both loops are written over fixed-size blocks (kLanes output channels,
// kPixels pixels or kTaps taps) so that the compiler keeps the block's sums
// in vector registers; channel counts that are not a multiple of kLanes are
// padded with zeros in a packed copy of the filter or gradient, and sums
// beyond the real channels or taps are dropped.
//
//===----------------------------------------------------------------------===//

#include "ConvSmallK.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ipuc::kernels::detail {
namespace {

/// Output channels per register block (two AVX registers of f32).
constexpr int64_t kLanes = 16;
/// Pixels per block of the forward loop: the filter row loaded for a tap is
/// used kPixels times.
constexpr int64_t kPixels = 4;
/// Taps per block of the weight-gradient loop: the gradient row loaded for a
/// pixel is used kTaps times.
constexpr int64_t kTaps = 6;

/// One AVX register of T, with arithmetic on whole vectors and scalars; a
/// block of kLanes channels is kVecs<T> of them.
template <typename T> struct Register {
  typedef T type __attribute__((vector_size(32)));
};
template <typename T> using Vec = typename Register<T>::type;
template <typename T>
constexpr int64_t kVecs = kLanes / int64_t(sizeof(Vec<T>) / sizeof(T));
template <typename T> constexpr int64_t kVecLanes = sizeof(Vec<T>) / sizeof(T);

template <typename T> Vec<T> load(const T *p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Count pixels starting at corners[0..Count), each adding into out + i * f.
template <typename T, int64_t Count>
void forwardPixels(const T *const *corners, const int64_t *off, int64_t taps,
                   const T *wt, int64_t blocks, int64_t f, T *out) {
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const T *w = wt + blk * taps * kLanes;
    Vec<T> acc[Count][kVecs<T>] = {};
    for (int64_t k = 0; k < taps; ++k) {
      Vec<T> row[kVecs<T>];
      for (int64_t v = 0; v < kVecs<T>; ++v) {
        row[v] = load(w + k * kLanes + v * kVecLanes<T>);
        // Held in a register: folded into each multiply-add as a memory
        // operand instead, the row is loaded Count times and the loop is
        // bound by loads rather than multiply-adds.
#if defined(__x86_64__) || defined(__i386__)
        asm("" : "+x"(row[v]));
#endif
      }
#pragma GCC unroll 8
      for (int64_t p = 0; p < Count; ++p) {
        T x = corners[p][off[k]];
        for (int64_t v = 0; v < kVecs<T>; ++v)
          acc[p][v] += x * row[v];
      }
    }
    int64_t lanes = std::min(kLanes, f - blk * kLanes);
    for (int64_t p = 0; p < Count; ++p) {
      T *dst = out + p * f + blk * kLanes;
      if (lanes == kLanes) {
        // A full block: whole-vector adds (a lane at a time cost as much as
        // the taps with 27 of them).
        for (int64_t v = 0; v < kVecs<T>; ++v) {
          Vec<T> sum = load(dst + v * kVecLanes<T>) + acc[p][v];
          std::memcpy(dst + v * kVecLanes<T>, &sum, sizeof sum);
        }
        continue;
      }
      for (int64_t j = 0; j < lanes; ++j)
        dst[j] += acc[p][j / kVecLanes<T>][j % kVecLanes<T>];
    }
  }
}

} // namespace

template <typename T>
std::vector<T> packDirectFilter(const T *filt, int64_t f, int64_t taps,
                                const int64_t *strides) {
  const int64_t blocks = (f + kLanes - 1) / kLanes;
  std::vector<T> wt(blocks * taps * kLanes, T(0));
  for (int64_t j = 0; j < f; ++j)
    for (int64_t k = 0; k < taps; ++k)
      wt[((j / kLanes) * taps + k) * kLanes + j % kLanes] =
          filt[j * strides[0] + k * strides[1]];
  return wt;
}

template <typename T>
void convImageDirect(const DirectConvShape &s, const T *img, const T *wt,
                     T *out) {
  const int64_t taps = s.kh * s.kw * s.c;
  const int64_t blocks = (s.f + kLanes - 1) / kLanes;
  // Each tap's offset from its window's first element.
  std::vector<int64_t> off;
  off.reserve(taps);
  for (int64_t ky = 0; ky < s.kh; ++ky)
    for (int64_t kx = 0; kx < s.kw; ++kx)
      for (int64_t c = 0; c < s.c; ++c)
        off.push_back((ky * s.dilationH * s.w + kx * s.dilationW) * s.c + c);
  for (int64_t oy = 0; oy < s.oh; ++oy) {
    T *row = out + oy * s.ow * s.f;
    const T *corners[kPixels];
    int64_t ox = 0;
    for (; ox + kPixels <= s.ow; ox += kPixels) {
      for (int64_t p = 0; p < kPixels; ++p)
        corners[p] = img + (oy * s.strideH * s.w + (ox + p) * s.strideW) * s.c;
      forwardPixels<T, kPixels>(corners, off.data(), taps, wt, blocks, s.f,
                                row + ox * s.f);
    }
    for (; ox < s.ow; ++ox) {
      corners[0] = img + (oy * s.strideH * s.w + ox * s.strideW) * s.c;
      forwardPixels<T, 1>(corners, off.data(), taps, wt, blocks, s.f,
                          row + ox * s.f);
    }
  }
}

template <typename T>
void convSmallK(const Conv2DArgs &a, const T *in, const T *filt, T *out,
                int64_t first, int64_t last) {
  const int64_t taps = a.kh * a.kw * a.c;
  const int64_t filterStrides[2] = {taps, 1};
  std::vector<T> wt = packDirectFilter(filt, a.f, taps, filterStrides);
  DirectConvShape s{a.h,  a.w,  a.c,       a.f,       a.kh,        a.kw,
                    a.oh, a.ow, a.strideH, a.strideW, a.dilationH, a.dilationW};
  for (int64_t b = first; b < last; ++b)
    convImageDirect(s, in + b * a.h * a.w * a.c, wt.data(),
                    out + b * a.oh * a.ow * a.f);
}

template <typename T>
void backwardFilterSmallK(const Conv2DBackwardFilterArgs &a, const T *in,
                          const T *grad, int64_t first, int64_t last, T *acc) {
  const int64_t taps = a.kh * a.kw * a.c, rows = a.oh * a.ow;
  const int64_t blocks = (a.o + kLanes - 1) / kLanes, width = blocks * kLanes;
  const int64_t *xs = a.inputStrides, *gs = a.gradStrides;
  std::vector<int64_t> off;
  for (int64_t ky = 0; ky < a.kh; ++ky)
    for (int64_t kx = 0; kx < a.kw; ++kx)
      for (int64_t c = 0; c < a.c; ++c)
        off.push_back(ky * a.dilationH * xs[1] + kx * a.dilationW * xs[2] +
                      c * xs[3]);
  // A last block of fewer than kTaps taps reads the first tap again in
  // their place; those sums are dropped.
  off.resize((taps + kTaps - 1) / kTaps * kTaps, off[0]);
  std::vector<int64_t> corner(rows);
  for (int64_t oy = 0; oy < a.oh; ++oy)
    for (int64_t ox = 0; ox < a.ow; ++ox)
      corner[oy * a.ow + ox] = oy * a.strideH * xs[1] + ox * a.strideW * xs[2];
  // One image's gradient as [pixel][channel], zero past the last channel.
  std::vector<T> g(rows * width, T(0));
  for (int64_t b = first; b < last; ++b) {
    const T *src = grad + b * gs[0];
    for (int64_t oy = 0; oy < a.oh; ++oy)
      for (int64_t ox = 0; ox < a.ow; ++ox)
        for (int64_t o = 0; o < a.o; ++o)
          g[(oy * a.ow + ox) * width + o] =
              src[oy * gs[1] + ox * gs[2] + o * gs[3]];
    const T *img = in + b * xs[0];
    for (int64_t blk = 0; blk < blocks; ++blk)
      for (int64_t k0 = 0; k0 < taps; k0 += kTaps) {
        Vec<T> sum[kTaps][kVecs<T>] = {};
        const int64_t *tapOff = off.data() + k0;
        for (int64_t p = 0; p < rows; ++p) {
          const T *gp = g.data() + p * width + blk * kLanes;
          Vec<T> gv[kVecs<T>];
          for (int64_t v = 0; v < kVecs<T>; ++v)
            gv[v] = load(gp + v * kVecLanes<T>);
          const T *x = img + corner[p];
#pragma GCC unroll 8
          for (int64_t t = 0; t < kTaps; ++t) {
            T xv = x[tapOff[t]];
            for (int64_t v = 0; v < kVecs<T>; ++v)
              sum[t][v] += xv * gv[v];
          }
        }
        int64_t lanes = std::min(kLanes, a.o - blk * kLanes);
        int64_t count = std::min(kTaps, taps - k0);
        for (int64_t j = 0; j < lanes; ++j)
          for (int64_t t = 0; t < count; ++t)
            acc[(blk * kLanes + j) * taps + k0 + t] +=
                sum[t][j / kVecLanes<T>][j % kVecLanes<T>];
      }
  }
}

template std::vector<float> packDirectFilter<float>(const float *, int64_t,
                                                    int64_t, const int64_t *);
template std::vector<double> packDirectFilter<double>(const double *, int64_t,
                                                      int64_t, const int64_t *);
template void convImageDirect<float>(const DirectConvShape &, const float *,
                                     const float *, float *);
template void convImageDirect<double>(const DirectConvShape &, const double *,
                                      const double *, double *);
template void convSmallK<float>(const Conv2DArgs &, const float *,
                                const float *, float *, int64_t, int64_t);
template void convSmallK<double>(const Conv2DArgs &, const double *,
                                 const double *, double *, int64_t, int64_t);
template void backwardFilterSmallK<float>(const Conv2DBackwardFilterArgs &,
                                          const float *, const float *, int64_t,
                                          int64_t, float *);
template void backwardFilterSmallK<double>(const Conv2DBackwardFilterArgs &,
                                           const double *, const double *,
                                           int64_t, int64_t, double *);

} // namespace ipuc::kernels::detail
