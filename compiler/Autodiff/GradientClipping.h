//===- GradientClipping.h - Clip gradients by their global norm -*- C++ -*-===//
#ifndef IPUC_COMPILER_AUTODIFF_GRADIENTCLIPPING_H
#define IPUC_COMPILER_AUTODIFF_GRADIENTCLIPPING_H

#include "mlir/IR/Builders.h"

namespace ipuc::autodiff {

/// Replaces every gradient in `grads` by grad * min(1, maxNorm / (norm +
/// 1e-6)), where norm is the L2 norm of all of them together, as
/// torch.nn.utils.clip_grad_norm_ does. Built in tosa at the builder's
/// insertion point.
void clipByGlobalNorm(mlir::OpBuilder &builder, mlir::Location loc,
                      llvm::MutableArrayRef<mlir::Value> grads, double maxNorm);

} // namespace ipuc::autodiff

#endif // IPUC_COMPILER_AUTODIFF_GRADIENTCLIPPING_H
