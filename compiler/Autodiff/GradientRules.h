//===- GradientRules.h - Per-op gradient rules ------------------*- C++ -*-===//
//
// A gradient rule maps the gradients of an op's results to the gradients of
// its operands (vector-Jacobian products), built in tosa. Rules are kept in
// one table keyed by op name and filled by one file per op family.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_AUTODIFF_GRADIENTRULES_H
#define IPUC_COMPILER_AUTODIFF_GRADIENTRULES_H

#include "compiler/Autodiff/TosaBuild.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"

#include <functional>

namespace ipuc::autodiff {

/// Returns one gradient per operand of `op` (null for an operand without
/// one, such as a permutation), given one gradient per result. A rule that
/// cannot handle a form of its op reports a located error and fails.
using Grads = mlir::FailureOr<llvm::SmallVector<mlir::Value>>;
using GradientRule = std::function<Grads(TosaBuild &build, mlir::Operation *op,
                                         mlir::ValueRange resultGrads)>;
using GradientRules = llvm::StringMap<GradientRule>;

/// The rule for `op`, or null when there is none.
const GradientRule *findGradientRule(mlir::Operation *op);

void addElementwiseGradients(GradientRules &rules);
void addShapeGradients(GradientRules &rules);
void addLinearGradients(GradientRules &rules);
void addConvGradients(GradientRules &rules);

/// The static shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value value);

} // namespace ipuc::autodiff

#endif // IPUC_COMPILER_AUTODIFF_GRADIENTRULES_H
