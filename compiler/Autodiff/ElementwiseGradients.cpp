//===- ElementwiseGradients.cpp - Gradients of elementwise tosa ops ------===//
//
// Binary ops broadcast (tosa: equal ranks, extent 1 against n), so their
// operand gradients are summed back to the operand's shape. Unary rules are
// written in terms of the op's result where that is cheaper (exp, tanh,
// sigmoid, reciprocal, rsqrt), as PyTorch's derivatives.yaml does.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/GradientRules.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>

using namespace mlir;

namespace ipuc::autodiff {

/// Registers a rule for a unary op from its local derivative dy/dx, given x
/// and y.
template <typename OpTy>
static void addUnary(GradientRules &rules,
                     std::function<Value(TosaBuild &, Value, Value)> dydx) {
  rules[OpTy::getOperationName()] = [dydx](TosaBuild &t, Operation *op,
                                           ValueRange g) -> Grads {
    Value x = op->getOperand(0), y = op->getResult(0);
    return SmallVector<Value>{t.mul(g[0], dydx(t, x, y))};
  };
}

void addElementwiseGradients(GradientRules &rules) {
  rules[tosa::AddOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                              ValueRange g) -> Grads {
    return SmallVector<Value>{t.sumToShape(g[0], shapeOf(op->getOperand(0))),
                              t.sumToShape(g[0], shapeOf(op->getOperand(1)))};
  };
  rules[tosa::SubOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                              ValueRange g) -> Grads {
    return SmallVector<Value>{
        t.sumToShape(g[0], shapeOf(op->getOperand(0))),
        t.sumToShape(t.negate(g[0]), shapeOf(op->getOperand(1)))};
  };
  rules[tosa::MulOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                              ValueRange g) -> Grads {
    Value a = op->getOperand(0), b = op->getOperand(1);
    return SmallVector<Value>{t.sumToShape(t.mul(g[0], b), shapeOf(a)),
                              t.sumToShape(t.mul(g[0], a), shapeOf(b))};
  };
  // The gradient goes to the operand that is selected; ties go to the first,
  // as torch's maximum/minimum split them evenly only on exact ties.
  auto minMax = [](bool isMax) {
    return [isMax](TosaBuild &t, Operation *op, ValueRange g) -> Grads {
      Value a = op->getOperand(0), b = op->getOperand(1);
      Value first = isMax ? t.greaterEqualMask(a, b) : t.greaterEqualMask(b, a);
      Value second = t.sub(t.scalarLike(first, 1.0), first);
      return SmallVector<Value>{t.sumToShape(t.mul(g[0], first), shapeOf(a)),
                                t.sumToShape(t.mul(g[0], second), shapeOf(b))};
    };
  };
  rules[tosa::MaximumOp::getOperationName()] = minMax(true);
  rules[tosa::MinimumOp::getOperationName()] = minMax(false);

  rules[tosa::NegateOp::getOperationName()] = [](TosaBuild &t, Operation *,
                                                 ValueRange g) -> Grads {
    return SmallVector<Value>{t.negate(g[0])};
  };
  addUnary<tosa::ExpOp>(rules, [](TosaBuild &, Value, Value y) { return y; });
  addUnary<tosa::LogOp>(
      rules, [](TosaBuild &t, Value x, Value) { return t.reciprocal(x); });
  addUnary<tosa::TanhOp>(rules, [](TosaBuild &t, Value, Value y) {
    return t.sub(t.scalarLike(y, 1.0), t.mul(y, y));
  });
  addUnary<tosa::SigmoidOp>(rules, [](TosaBuild &t, Value, Value y) {
    return t.mul(y, t.sub(t.scalarLike(y, 1.0), y));
  });
  addUnary<tosa::ReciprocalOp>(rules, [](TosaBuild &t, Value, Value y) {
    return t.negate(t.mul(y, y));
  });
  // y = x^(-1/2): dy/dx = -y^3 / 2.
  addUnary<tosa::RsqrtOp>(rules, [](TosaBuild &t, Value, Value y) {
    return t.mul(t.scalarLike(y, -0.5), t.mul(y, t.mul(y, y)));
  });
  // erf'(x) = 2 / sqrt(pi) * exp(-x^2), as torch's erf backward; GELU is
  // imported as x * 0.5 * (1 + erf(x / sqrt 2)).
  addUnary<tosa::ErfOp>(rules, [](TosaBuild &t, Value x, Value) {
    return t.mul(t.scalarLike(x, 1.1283791670955126),
                 t.exp(t.negate(t.mul(x, x))));
  });
  addUnary<tosa::AbsOp>(rules, [](TosaBuild &t, Value x, Value) {
    // sign(x) as 2 * [x >= 0] - 1; the derivative at 0 is taken as 1.
    Value nonNegative = t.greaterEqualMask(x, t.scalarLike(x, 0.0));
    return t.sub(t.mul(nonNegative, t.scalarLike(x, 2.0)),
                 t.scalarLike(x, 1.0));
  });

  // Clamp (and ReLU, its min 0 / max inf form) passes the gradient where
  // min <= x <= max, as torch's clamp backward does.
  rules[tosa::ClampOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                ValueRange g) -> Grads {
    auto clamp = cast<tosa::ClampOp>(op);
    Value x = clamp.getInput();
    double lo = clamp.getMinFp().convertToDouble();
    double hi = clamp.getMaxFp().convertToDouble();
    // An infinite bound passes every finite x (ReLU's max is +inf), so only
    // the finite sides build a mask: half the backward work of a ReLU.
    Value mask;
    auto both = [&](Value m) { return mask ? t.mul(mask, m) : m; };
    if (!std::isinf(lo))
      mask = t.greaterEqualMask(x, t.scalarLike(x, lo));
    if (!std::isinf(hi))
      mask = both(t.greaterEqualMask(t.scalarLike(x, hi), x));
    return SmallVector<Value>{mask ? t.mul(g[0], mask) : g[0]};
  };
}

} // namespace ipuc::autodiff
