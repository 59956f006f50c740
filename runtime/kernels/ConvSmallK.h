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
// (weight gradient), in registers.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_CONVSMALLK_H
#define IPUC_KERNELS_CONVSMALLK_H

#include "ipuc/kernels/Conv2D.h"
#include "ipuc/kernels/Conv2DBackwardFilter.h"

#include <cstdint>

namespace ipuc::kernels::detail {

/// Taps up to which the direct loops beat im2col + GEMM: measured on the
/// CNN's 27-tap conv (3x faster); at 144 taps (its second conv) the GEMM wins.
inline constexpr int64_t kSmallKMaxTaps = 32;

/// out[b] += conv(in[b], filt) for images [first, last) of an ungrouped
/// NHWC x FHWC convolution with at most kSmallKMaxTaps taps.
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
