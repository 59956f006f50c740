//===- Differentiate.h - Reverse-mode gradients of one function -*- C++ -*-===//
#ifndef IPUC_COMPILER_AUTODIFF_DIFFERENTIATE_H
#define IPUC_COMPILER_AUTODIFF_DIFFERENTIATE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace ipuc::autodiff {

/// Marks a function argument as a trainable parameter.
constexpr llvm::StringLiteral kParamAttr = "ipuc.param";
/// The user-facing name of an argument or result (plan tensor names).
constexpr llvm::StringLiteral kNameAttr = "ipuc.name";
/// The value a training loop gives a carried argument (a parameter or an
/// optimizer state) before the first step.
constexpr llvm::StringLiteral kInitialAttr = "ipuc.initial";
/// On an optimizer state argument: the name of the parameter it is for.
constexpr llvm::StringLiteral kStateOfAttr = "ipuc.state_of";

/// The indices of `func`'s `ipuc.param` arguments, in order.
llvm::SmallVector<unsigned> parameterIndices(mlir::func::FuncOp func);

/// Appends to `func`'s single one-element loss result the gradient of the
/// loss with respect to every `ipuc.param` argument, in argument order, each
/// named `grad_<argument name>`. Does nothing without parameters. Errors
/// (an op without a gradient rule, a malformed loss) are located.
mlir::LogicalResult differentiate(mlir::func::FuncOp func);

/// The argument's `ipuc.name`, or `arg<index>`.
std::string argumentName(mlir::func::FuncOp func, unsigned index);

} // namespace ipuc::autodiff

#endif // IPUC_COMPILER_AUTODIFF_DIFFERENTIATE_H
