//===- ElementwiseUpdate.h - One fused kernel per update rule ---*- C++ -*-===//
//
// Builders shared by the optimizer lowerings: an update rule is a scalar
// function of one element of the parameter, the gradient and the state, so
// each rule is written once as a scalar body and becomes one linalg.generic.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECTS_OPTIMIZER_TRANSFORMS_ELEMENTWISEUPDATE_H
#define IPUC_DIALECTS_OPTIMIZER_TRANSFORMS_ELEMENTWISEUPDATE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace ipuc {

/// Scalar arithmetic in one element type, with constants given as doubles
/// (torch.optim's hyper-parameters are Python floats) and rounded once.
class ScalarMath {
public:
  ScalarMath(mlir::OpBuilder &builder, mlir::Location loc, mlir::FloatType type)
      : b(builder), loc(loc), type(type) {}

  mlir::FloatType getType() const { return type; }
  /// The builder, for bodies that build ops of their own (custom rules).
  mlir::OpBuilder &getBuilder() const { return b; }
  mlir::Location getLoc() const { return loc; }
  mlir::Value constant(double value);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value div(mlir::Value x, mlir::Value y);
  /// `k * x`, or `x` itself when k is 1 (so torch's `alpha=1` adds round
  /// the same way).
  mlir::Value scale(double k, mlir::Value x);
  mlir::Value sqrt(mlir::Value x);
  mlir::Value expm1(mlir::Value x);
  /// `x == 0` as an i1.
  mlir::Value isZero(mlir::Value x);
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y);
  /// Converts an f32 value (the step counter) to this element type.
  mlir::Value fromF32(mlir::Value x);

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::FloatType type;
};

/// The body of an update kernel: the scalars of `elementwise` (same-shaped
/// tensors) and of `broadcast` (0-d tensors) in, the scalars to yield out.
using UpdateBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    ScalarMath &math, mlir::ValueRange elementwise,
    mlir::ValueRange broadcast)>;

/// Builds one parallel linalg.generic over the shape of `elementwise[0]`
/// that reads every `elementwise` tensor element by element and every 0-d
/// `broadcast` tensor at each element, and yields `numResults` tensors of
/// `elementwise[0]`'s type.
llvm::SmallVector<mlir::Value>
buildElementwiseUpdate(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::ValueRange elementwise, mlir::ValueRange broadcast,
                       unsigned numResults, UpdateBody body);

/// The sum of the squares of every element of `x` as a 0-d tensor: one
/// reduction, for per-tensor norms (LAMB's trust ratio).
mlir::Value buildSumOfSquares(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::Value x);

/// The body of a rule's per-step kernel: the old f32 step counter and
/// `t = step + 1` in, one scalar per requested element type out.
using StepBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &builder, mlir::Location loc, mlir::Value step,
    mlir::Value t)>;

/// One 0-d linalg.generic over a 0-d f32 step counter that yields the new
/// counter `step + 1` followed by one 0-d tensor per entry of `scalarTypes`
/// computed by `body` (bias corrections, the step's learning rate, ...).
/// Scalars that depend only on the step are computed here once per step and
/// broadcast into the per-element kernel, which would otherwise pay for
/// their exp/div/sqrt at every element.
llvm::SmallVector<mlir::Value>
buildStepKernel(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value step,
                mlir::TypeRange scalarTypes = {}, StepBody body = nullptr);

/// One 0-d linalg.generic over the 0-d `inputs` that yields one 0-d tensor
/// per entry of `resultTypes`: `body` gets the inputs' scalars.
llvm::SmallVector<mlir::Value> buildScalarKernel(
    mlir::OpBuilder &builder, mlir::Location loc, mlir::ValueRange inputs,
    mlir::TypeRange resultTypes,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(
        mlir::OpBuilder &builder, mlir::Location loc, mlir::ValueRange args)>
        body);

} // namespace ipuc

#endif // IPUC_DIALECTS_OPTIMIZER_TRANSFORMS_ELEMENTWISEUPDATE_H
