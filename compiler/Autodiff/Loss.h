//===- Loss.h - Append a training loss to a model ---------------*- C++ -*-===//
//
// ipuc --train on a model that computes logits or predictions, not a loss:
// the loss is appended in tosa (so autodiff differentiates it like the rest
// of the model) with PyTorch's definitions and its default mean reduction.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_AUTODIFF_LOSS_H
#define IPUC_COMPILER_AUTODIFF_LOSS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace ipuc::autodiff {

enum class LossKind {
  /// torch.nn.functional.cross_entropy(logits [B, C], labels [B] int64).
  CrossEntropy,
  /// torch.nn.functional.mse_loss(output, targets): mean over all elements.
  MeanSquaredError,
  /// The model's own result, which must have a single float element.
  Tensor,
};

struct LossSpec {
  LossKind kind = LossKind::Tensor;
  /// The name of the new argument: the labels or targets input.
  std::string target;
  /// The name of the loss result.
  std::string lossName = "loss";
};

/// Replaces `func`'s single result (the logits, the output, or the loss
/// itself) with the scalar loss, adding the labels/targets argument at the
/// end. Errors (wrong rank or type, name clash) are located at `func`.
mlir::LogicalResult appendLoss(mlir::func::FuncOp func, const LossSpec &spec);

} // namespace ipuc::autodiff

#endif // IPUC_COMPILER_AUTODIFF_LOSS_H
