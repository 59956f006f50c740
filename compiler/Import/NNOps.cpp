//===- NNOps.cpp - Neural-network op converters --------------------------===//
//
// Registers the NN family (conv, pooling, normalization, matmul, einsum live
// in their own files) and converts the softmax family here: Softmax,
// LogSoftmax and Hardmax. Softmax subtracts the maximum before exponentiating
// so that large inputs do not overflow.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NNHelpers.h"

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

Value buildSoftmax(OpBuilder &b, Location loc, Value x, int64_t axis,
                   SoftmaxKind kind) {
  auto t = tensorType(x);
  if (kind == SoftmaxKind::Hardmax) {
    // One-hot of the first maximum: compare argmax with an iota on `axis`.
    SmallVector<int64_t> keptShape(t.getShape());
    keptShape[axis] = 1;
    SmallVector<int64_t> argShape(t.getShape());
    argShape.erase(argShape.begin() + axis);
    Value arg = b.create<tosa::ArgMaxOp>(
        loc, RankedTensorType::get(argShape, b.getI32Type()), x,
        b.getI32IntegerAttr(static_cast<int32_t>(axis)));
    arg = reshapeTo(b, loc, arg, keptShape);
    SmallVector<int64_t> iotaShape(t.getRank(), 1);
    iotaShape[axis] = t.getDimSize(axis);
    SmallVector<int32_t> iota;
    for (int64_t i = 0; i < t.getDimSize(axis); ++i)
      iota.push_back(static_cast<int32_t>(i));
    Value iotaV = constTensor(
        b, loc,
        DenseIntElementsAttr::get(
            RankedTensorType::get(iotaShape, b.getI32Type()), ArrayRef(iota)));
    auto [l, r] = broadcastOperands(b, loc, arg, iotaV);
    Value eq = b.create<tosa::EqualOp>(
        loc, RankedTensorType::get(t.getShape(), b.getI1Type()), l, r);
    return castTo(b, loc, eq, t.getElementType());
  }
  Value shifted =
      subV(b, loc, x, reduceAxis<tosa::ReduceMaxOp>(b, loc, x, axis));
  Value e = unaryOp<tosa::ExpOp>(b, loc, shifted);
  Value sum = reduceAxis<tosa::ReduceSumOp>(b, loc, e, axis);
  if (kind == SoftmaxKind::LogSoftmax)
    return subV(b, loc, shifted, unaryOp<tosa::LogOp>(b, loc, sum));
  return mulV(b, loc, e, unaryOp<tosa::ReciprocalOp>(b, loc, sum));
}

LogicalResult convertSoftmax(NodeContext &ctx, SoftmaxKind kind) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value x = ctx.input(0);
  auto t = tensorType(x);
  if (!isFloatTensor(x) || t.getRank() == 0)
    return ctx.error("expects a floating-point input of rank >= 1");
  bool coerce2D = ctx.opset() < 13;
  int64_t axis =
      normalizeAxis(ctx.attrInt("axis", coerce2D ? 1 : -1), t.getRank());
  if (axis < 0)
    return ctx.error("axis is out of range for rank " +
                     llvm::Twine(t.getRank()));
  if (!coerce2D) {
    ctx.setResult(0, buildSoftmax(b, loc, x, axis, kind));
    return success();
  }
  // Before opset 13 the input is flattened to 2-D at `axis` and the op
  // normalizes each row.
  int64_t rows = 1, cols = 1;
  for (int64_t i = 0; i < t.getRank(); ++i)
    (i < axis ? rows : cols) *= t.getDimSize(i);
  Value flat = reshapeTo(b, loc, x, {rows, cols});
  ctx.setResult(
      0, reshapeTo(b, loc, buildSoftmax(b, loc, flat, 1, kind), t.getShape()));
  return success();
}

} // namespace

void registerNNConverters(ConverterRegistry &registry) {
  registerConvConverters(registry);
  registerPoolConverters(registry);
  registerNormConverters(registry);
  registerMatMulConverters(registry);
  registerEinsumConverter(registry);
  registry["Softmax"] = {
      [](NodeContext &c) { return convertSoftmax(c, SoftmaxKind::Softmax); },
      1};
  registry["LogSoftmax"] = {
      [](NodeContext &c) { return convertSoftmax(c, SoftmaxKind::LogSoftmax); },
      1};
  registry["Hardmax"] = {
      [](NodeContext &c) { return convertSoftmax(c, SoftmaxKind::Hardmax); },
      1};
}

} // namespace ipuc::onnx_import
