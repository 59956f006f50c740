//===- Loss.cpp - Append a training loss to a model ----------------------===//

#include "compiler/Autodiff/Loss.h"

#include "compiler/Autodiff/Differentiate.h"
#include "compiler/Autodiff/TosaBuild.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

namespace ipuc::autodiff {
namespace {

/// The sum of all elements of `x`, as tensor<1xT>.
Value sumAll(TosaBuild &t, Value x) {
  int64_t n = tensorType(x).getNumElements();
  return t.reduceSum(t.reshape(x, {n}), 0);
}

/// mean(-log_softmax(logits)[i, labels[i]]) over the batch. The shift by
/// the row maximum keeps exp finite; it cancels in the gradient.
Value crossEntropy(OpBuilder &b, TosaBuild &t, Value logits, Value labels) {
  Location loc = t.getLoc();
  RankedTensorType type = tensorType(logits);
  int64_t batch = type.getDimSize(0), classes = type.getDimSize(1);
  auto rowType = RankedTensorType::get({batch, 1}, type.getElementType());
  Value max =
      b.create<tosa::ReduceMaxOp>(loc, rowType, logits, b.getI32IntegerAttr(1));
  Value shifted = t.sub(logits, max);
  Value exp = b.create<tosa::ExpOp>(loc, type, shifted);
  Value logSum =
      b.create<tosa::LogOp>(loc, rowType, t.reduceSum(exp, /*axis=*/1));
  Value logProbs = t.sub(shifted, logSum);

  // One-hot labels: labels [B, 1] == [0, 1, .., C-1] as [1, C].
  Type labelElement = tensorType(labels).getElementType();
  auto classType = RankedTensorType::get({1, classes}, labelElement);
  SmallVector<APInt> ids;
  for (int64_t c = 0; c < classes; ++c)
    ids.push_back(APInt(labelElement.getIntOrFloatBitWidth(), c));
  Value classIds = b.create<tosa::ConstOp>(
      loc, classType, DenseElementsAttr::get(classType, ids));
  Value column = t.reshape(labels, {batch, 1});
  Value hit = b.create<tosa::EqualOp>(
      loc, RankedTensorType::get({batch, classes}, b.getI1Type()), column,
      classIds);
  Value oneHot = b.create<tosa::CastOp>(loc, type, hit);
  Value picked = sumAll(t, t.mul(logProbs, oneHot));
  return t.mul(picked, t.scalarLike(picked, -1.0 / double(batch)));
}

Value meanSquaredError(TosaBuild &t, Value output, Value targets) {
  Value diff = t.sub(output, targets);
  Value sum = sumAll(t, t.mul(diff, diff));
  double n = double(tensorType(output).getNumElements());
  return t.mul(sum, t.scalarLike(sum, 1.0 / n));
}

} // namespace

LogicalResult appendLoss(func::FuncOp func, const LossSpec &spec) {
  auto ret = cast<func::ReturnOp>(func.front().getTerminator());
  if (ret.getNumOperands() != 1)
    return func.emitError("--train: expected the model to return one tensor "
                          "(the logits, output or loss), not ")
           << ret.getNumOperands();
  Value result = ret.getOperand(0);
  auto type = dyn_cast<RankedTensorType>(result.getType());
  std::string name = "the loss tensor";
  if (auto attr = func.getResultAttrOfType<StringAttr>(0, kNameAttr))
    name = "'" + attr.getValue().str() + "'";
  if (!type || !isa<FloatType>(type.getElementType()) || !type.hasStaticShape())
    return func.emitError("--train: ")
           << name << " must be a statically shaped float tensor, not "
           << result.getType();

  if (spec.kind == LossKind::Tensor) {
    if (type.getNumElements() != 1)
      return func.emitError("--loss-tensor: ")
             << name << " must be a scalar (one element), not " << type;
  } else {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (argumentName(func, i) == spec.target)
        return func.emitError("--train: the model already has an input "
                              "named '")
               << spec.target << "'; choose another name for the "
               << (spec.kind == LossKind::CrossEntropy ? "labels" : "targets");
    if (spec.kind == LossKind::CrossEntropy && type.getRank() != 2)
      return func.emitError("--loss=cross_entropy: the logits ")
             << name << " must be [batch, classes], not " << type;
    Builder b(func.getContext());
    Type targetType = type;
    if (spec.kind == LossKind::CrossEntropy)
      targetType =
          RankedTensorType::get({type.getDimSize(0)}, b.getIntegerType(64));
    func.insertArgument(func.getNumArguments(), targetType,
                        b.getDictionaryAttr(b.getNamedAttr(
                            kNameAttr, b.getStringAttr(spec.target))),
                        func.getLoc());
    Value target = func.getArguments().back();
    OpBuilder builder(ret);
    TosaBuild t(builder, func.getLoc());
    result = spec.kind == LossKind::CrossEntropy
                 ? crossEntropy(builder, t, result, target)
                 : meanSquaredError(t, result, target);
    ret->setOperand(0, result);
  }
  func.setFunctionType(FunctionType::get(
      func.getContext(), func.getArgumentTypes(), {result.getType()}));
  OpBuilder b(func.getContext());
  func.setResultAttr(0, kNameAttr, b.getStringAttr(spec.lossName));
  return success();
}

} // namespace ipuc::autodiff
