//===- ConvBackwardData.h - The host's conv input-gradient form -*- C++ -*-===//
//
// ipuc-host-conv-backward-data writes the convolution autodiff builds for an
// input gradient -- the (padded, spread) output gradient correlated with the
// transposed, spatially flipped filter -- as a linalg.generic that reads the
// filter in its own layout, the flip folded into the gradient's map, marked
// with kConvBackwardDataAttr. The host-plan emitter runs it as the
// Conv2DBackwardData kernel and folds a zero pad of its gradient into it.
// Unrecognized, it is still an ordinary generic with the same meaning.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_CONVBACKWARDDATA_H
#define IPUC_COMPILER_PLAN_CONVBACKWARDDATA_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/StringRef.h"

namespace ipuc {

/// Array of i64 [dilation_h, dilation_w] of the correlation. The generic's
/// loops are (n, y, x, c, ky, kx, o); it computes
///   result[n, y, x, c] += filter[o, ky, kx, c] *
///     grad[n, y + (kh - 1 - ky) * dilation_h, x + (kw - 1 - kx) * dilation_w,
///     o]
/// with grad the (already padded) gradient and filter the forward
/// convolution's [o, kh, kw, c] filter.
inline constexpr llvm::StringLiteral kConvBackwardDataAttr =
    "ipuc.conv_backward_data";

/// The loop dimensions of that generic.
enum ConvBackwardDataLoop : unsigned {
  kDataLoopN,
  kDataLoopY,
  kDataLoopX,
  kDataLoopC,
  kDataLoopKy,
  kDataLoopKx,
  kDataLoopO,
  kNumConvBackwardDataLoops
};

/// The indexing maps (grad, filter, result) of that generic for a kh x kw
/// filter and the given dilations.
llvm::SmallVector<mlir::AffineMap, 3>
getConvBackwardDataMaps(mlir::MLIRContext *ctx, int64_t kh, int64_t kw,
                        int64_t dilationH, int64_t dilationW);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_CONVBACKWARDDATA_H
