//===- ConvSmallK.h - Direct loops for convolutions with few taps -*- C++
//-*-===//
//
// A convolution whose filter has few taps (kh * kw * c multiply-adds per
// output: an RGB image's 3x3 window has 27) is, as im2col + GEMM, a GEMM
// with a tiny inner dimension, and the unrolled copy of every receptive field
// plus Eigen's packing cost more than the multiply-adds (the CNN's first conv
// and its weight gradient took 2.5 ms each for 14 M multiply-adds). These
// loops read the input in place through one offset per tap and keep a block
// of 16 output channels, for several pixels (forward) or several taps
// (weight gradient), in registers. They also beat im2col + Eigen well past
// "few": Eigen's GEMM reaches about half of what they do at the CNN's second
// conv (144 taps, 32 filters) and its input gradient (288 taps, 16 filters),
// so they run every convolution up to kDirectMaxTaps taps.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_CONVSMALLK_H
#define IPUC_KERNELS_CONVSMALLK_H

#include "ipuc/kernels/Conv2D.h"
#include "ipuc/kernels/Conv2DBackwardFilter.h"

#include <cstdint>
#include <vector>

namespace ipuc::kernels::detail {

/// Taps up to which the direct loops run (f32, one thread, 3x3 filters,
/// docs/benchmarks.md "convdata"): from 144 to 1152 taps they are 1.7-2.2x
/// faster than im2col + GEMM both ways, except about even at 288 taps x 128
/// filters; at 2304 taps (256 channels) the weight gradient's passes over
/// the image no longer stay in L1 and the GEMM wins.
inline constexpr int64_t kDirectMaxTaps = 1152;

/// The shape of one image's ungrouped NHWC x FHWC convolution: input
/// [h, w, c] (already padded), f filters of [kh, kw, c], output [oh, ow, f].
struct DirectConvShape {
  int64_t h, w, c, f, kh, kw, oh, ow;
  int64_t strideH, strideW, dilationH, dilationW;
};

/// The f filters of `taps` taps each (filter j's tap k at
/// filt[j * strides[0] + k * strides[1]]) in the direct loops' blocked
/// layout, [filter block][tap][lane], zero past the last filter.
template <typename T>
std::vector<T> packDirectFilter(const T *filt, int64_t f, int64_t taps,
                                const int64_t *strides);

/// out += the convolution of one contiguous image by a filter packed by
/// packDirectFilter, out contiguous [oh, ow, f]; at most kDirectMaxTaps taps.
template <typename T>
void convImageDirect(const DirectConvShape &s, const T *img, const T *wt,
                     T *out);

/// out[b] += conv(in[b], filt) for images [first, last) of an ungrouped
/// NHWC x FHWC convolution with at most kDirectMaxTaps taps.
template <typename T>
void convSmallK(const Conv2DArgs &a, const T *in, const T *filt, T *out,
                int64_t first, int64_t last);

/// acc[o * taps + k] += the weight gradient of images [first, last), with
/// taps k = (ky, kx, c) in that order; operands read through their strides.
template <typename T>
void backwardFilterSmallK(const Conv2DBackwardFilterArgs &a, const T *in,
                          const T *grad, int64_t first, int64_t last, T *acc);

} // namespace ipuc::kernels::detail

#endif // IPUC_KERNELS_CONVSMALLK_H
