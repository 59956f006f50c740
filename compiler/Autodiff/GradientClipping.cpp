//===- GradientClipping.cpp - Clip gradients by their global norm --------===//
//
// One norm over all parameters (not per tensor), so clipping keeps the
// direction of the whole update; the scale is a 1-element tensor that every
// gradient is multiplied by after broadcasting.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/GradientClipping.h"
#include "compiler/Autodiff/TosaBuild.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

namespace ipuc::autodiff {

void clipByGlobalNorm(OpBuilder &builder, Location loc,
                      MutableArrayRef<Value> grads, double maxNorm) {
  if (grads.empty())
    return;
  TosaBuild t(builder, loc);
  auto scalar = RankedTensorType::get({1}, builder.getF32Type());
  // Sum of squares of every element of every gradient, as a [1] tensor.
  Value total;
  for (Value grad : grads) {
    Value squares = t.mul(grad, grad);
    for (int64_t axis = 0; axis < tensorType(squares).getRank(); ++axis)
      squares = t.reduceSum(squares, axis);
    squares = t.reshape(squares, {1});
    total = total ? t.add(total, squares) : squares;
  }
  // pow(x, 0.5) rather than x * rsqrt(x), which is NaN for zero gradients.
  Value norm =
      builder.create<tosa::PowOp>(loc, scalar, total, t.splat(scalar, 0.5));
  Value coef = t.mul(t.splat(scalar, maxNorm),
                     t.reciprocal(t.add(norm, t.splat(scalar, 1e-6))));
  Value scale =
      builder.create<tosa::MinimumOp>(loc, scalar, coef, t.splat(scalar, 1.0));
  for (Value &grad : grads) {
    SmallVector<int64_t> ones(tensorType(grad).getRank(), 1);
    grad = t.mul(t.reshape(scale, ones), grad);
  }
}

} // namespace ipuc::autodiff
