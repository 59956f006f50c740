//===- ShapeGradients.cpp - Gradients of layout and reduction ops --------===//

#include "compiler/Autodiff/GradientRules.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace ipuc::autodiff {

void addShapeGradients(GradientRules &rules) {
  rules[tosa::ReshapeOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                  ValueRange g) -> Grads {
    SmallVector<Value> grads(op->getNumOperands());
    grads[0] = t.reshape(g[0], shapeOf(op->getOperand(0)));
    return grads;
  };
  rules[tosa::TransposeOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                    ValueRange g) -> Grads {
    DenseIntElementsAttr perms;
    if (!matchPattern(op->getOperand(1), m_Constant(&perms)))
      return op->emitError("ipuc-autodiff: the gradient of 'tosa.transpose' "
                           "needs constant perms");
    SmallVector<int32_t> inverse(perms.getNumElements());
    for (auto [i, p] : llvm::enumerate(perms.getValues<APInt>()))
      inverse[p.getSExtValue()] = int32_t(i);
    return SmallVector<Value>{t.transpose(g[0], inverse), Value()};
  };
  // The summed axis has extent 1 in the result: spread it back.
  rules[tosa::ReduceSumOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                    ValueRange g) -> Grads {
    auto reduce = cast<tosa::ReduceSumOp>(op);
    SmallVector<int64_t> multiples(shapeOf(reduce.getInput()).size(), 1);
    multiples[reduce.getAxis()] = shapeOf(reduce.getInput())[reduce.getAxis()];
    return SmallVector<Value>{t.tile(g[0], multiples)};
  };
  // A slice's gradient is zero outside the slice.
  rules[tosa::SliceOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                ValueRange g) -> Grads {
    auto slice = cast<tosa::SliceOp>(op);
    ArrayRef<int64_t> in = shapeOf(slice.getInput());
    SmallVector<int64_t> high;
    for (auto [d, start, size] :
         llvm::zip_equal(in, slice.getStart(), slice.getSize()))
      high.push_back(d - start - size);
    return SmallVector<Value>{t.pad(g[0], slice.getStart(), high)};
  };
  // Each concatenated operand gets its part of the gradient.
  rules[tosa::ConcatOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                 ValueRange g) -> Grads {
    int64_t axis = cast<tosa::ConcatOp>(op).getAxis();
    SmallVector<Value> grads;
    SmallVector<int64_t> start(shapeOf(g[0]).size(), 0);
    for (Value operand : op->getOperands()) {
      grads.push_back(t.slice(g[0], start, shapeOf(operand)));
      start[axis] += shapeOf(operand)[axis];
    }
    return grads;
  };
  // The gradient goes to the elements equal to the maximum (all of them on
  // exact ties, which random data does not have).
  rules[tosa::ReduceMaxOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                    ValueRange g) -> Grads {
    Value x = op->getOperand(0), y = op->getResult(0);
    return SmallVector<Value>{t.mul(t.equalMask(x, y), g[0])};
  };
}

} // namespace ipuc::autodiff
