//===- ConvBackwardFilter.h - The host's conv weight-gradient form -*- C++
//-*-===//
//
// ipuc-host-conv-backward-filter writes a convolution whose kernel window is
// larger than its output (the weight gradient autodiff builds) as a
// linalg.generic in the loop order of the host's Conv2DBackwardFilter kernel,
// marked with kConvBackwardFilterAttr; the host-plan emitter recognizes it by
// that mark and its operands' strides. Unrecognized, it is still an ordinary
// generic with the same meaning.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_CONVBACKWARDFILTER_H
#define IPUC_COMPILER_PLAN_CONVBACKWARDFILTER_H

#include "llvm/ADT/StringRef.h"

namespace ipuc {

/// Array of i64 [stride_h, stride_w, dilation_h, dilation_w] of the kernel.
/// The generic's loops are (o, ky, kx, c, n, oy, ox); it computes
/// result[o, ky, kx, c] += grad[n, oy, ox, o] *
///   input[n, oy * stride + ky * dilation (h, w), c]
/// with each operand in any dimension order (its indexing map permuted).
inline constexpr llvm::StringLiteral kConvBackwardFilterAttr =
    "ipuc.conv_backward_filter";

/// The loop dimensions of that generic.
enum ConvBackwardFilterLoop : unsigned {
  kLoopO,
  kLoopKy,
  kLoopKx,
  kLoopC,
  kLoopN,
  kLoopOy,
  kLoopOx,
  kNumConvBackwardFilterLoops
};

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_CONVBACKWARDFILTER_H
