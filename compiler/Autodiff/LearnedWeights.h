//===- LearnedWeights.h - The learned optimizer MLP from a file -*- C++ -*-===//
//
// `ipuc --optimizer=learned --learned-weights=FILE.npz` reads the MLP of
// optimizer.learned from NumPy arrays, so that weights meta-trained (or
// written) in Python become constants of the plan.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_AUTODIFF_LEARNEDWEIGHTS_H
#define IPUC_COMPILER_AUTODIFF_LEARNEDWEIGHTS_H

#include "mlir/IR/Location.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/LogicalResult.h"

namespace ipuc::autodiff {

/// Reads `decays` [D], `w1` [2 + D, H], `b1` [H], `w2` [H, 2] and `b2` [2]
/// (float32 or float64), and `mag_scale` (a scalar) if present, from the
/// .npz at `path` into optimizer.learned's attributes of the same names;
/// other arrays are ignored. A missing file,
/// a missing array or a wrong shape or type is an error at `loc` naming the
/// file and the array.
mlir::LogicalResult
readLearnedWeights(mlir::Location loc, llvm::StringRef path,
                   llvm::SmallVectorImpl<mlir::NamedAttribute> &attrs);

} // namespace ipuc::autodiff

#endif // IPUC_COMPILER_AUTODIFF_LEARNEDWEIGHTS_H
