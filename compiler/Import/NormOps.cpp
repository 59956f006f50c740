//===- NormOps.cpp - BatchNormalization and LayerNormalization -----------===//
//
// Both are decomposed into tosa elementwise ops and reductions; tosa has no
// normalization op. Division by sqrt is tosa.rsqrt followed by a multiply.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NNHelpers.h"

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

/// Inference-form batch norm: y = (x - mean) * scale / sqrt(var + eps) + B,
/// with the per-channel parameters broadcast along axis 1.
LogicalResult convertBatchNorm(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  if (ctx.attrInt("training_mode", 0) != 0)
    return ctx.error("training_mode=1 is not supported; export the model for "
                     "inference");
  for (size_t i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.error("only the Y output is supported (inference form)");
  if (ctx.numInputs() != 5)
    return ctx.error("expects inputs X, scale, B, input_mean, input_var");
  Value x = ctx.input(0);
  auto xt = tensorType(x);
  if (xt.getRank() < 2 || !isFloatTensor(x))
    return ctx.error("expects a floating-point input of rank >= 2");
  int64_t C = xt.getDimSize(1);
  SmallVector<int64_t> paramShape(xt.getRank(), 1);
  paramShape[1] = C;
  SmallVector<Value> params;
  for (size_t i = 1; i < 5; ++i) {
    auto pt = ctx.inputType(i);
    if (pt.getNumElements() != C)
      return ctx.error("parameter " + llvm::Twine(i) + " must have " +
                       llvm::Twine(C) + " elements");
    params.push_back(castTo(b, loc, reshapeTo(b, loc, ctx.input(i), paramShape),
                            xt.getElementType()));
  }
  Value scale = params[0], bias = params[1], mean = params[2], var = params[3];
  double eps = ctx.attrFloat("epsilon", 1e-5f);
  Value inv = unaryOp<tosa::RsqrtOp>(
      b, loc,
      addV(b, loc, var,
           constScalar(b, loc, xt.getElementType(), eps, xt.getRank())));
  Value y = mulV(b, loc, subV(b, loc, x, mean), mulV(b, loc, scale, inv));
  ctx.setResult(0, addV(b, loc, y, bias));
  return success();
}

/// Normalizes over axes [axis, rank); also produces the Mean and InvStdDev
/// outputs (shaped like X with the normalized axes kept as 1) when wanted.
LogicalResult convertLayerNorm(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  if (ctx.numInputs() < 2)
    return ctx.error("expects inputs X and Scale");
  Value x = ctx.input(0);
  auto xt = tensorType(x);
  if (!isFloatTensor(x))
    return ctx.error("expects a floating-point input");
  int64_t rank = xt.getRank();
  int64_t axis = normalizeAxis(ctx.attrInt("axis", -1), rank);
  if (axis < 0)
    return ctx.error("axis is out of range for rank " + llvm::Twine(rank));
  Type elt = xt.getElementType();
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    count *= xt.getDimSize(i);
  }
  double eps = ctx.attrFloat("epsilon", 1e-5f);
  double invCount = 1.0 / static_cast<double>(count);

  Value mean =
      scaleBy(b, loc, reduceAxes<tosa::ReduceSumOp>(b, loc, x, axes), invCount);
  Value centered = subV(b, loc, x, mean);
  Value var = scaleBy(b, loc,
                      reduceAxes<tosa::ReduceSumOp>(
                          b, loc, mulV(b, loc, centered, centered), axes),
                      invCount);
  Value invStd = unaryOp<tosa::RsqrtOp>(
      b, loc, addV(b, loc, var, constScalar(b, loc, elt, eps, rank)));
  Value y = mulV(b, loc, mulV(b, loc, centered, invStd),
                 castTo(b, loc, ctx.input(1), elt));
  if (ctx.numInputs() > 2 && ctx.hasInput(2))
    y = addV(b, loc, y, castTo(b, loc, ctx.input(2), elt));
  if (tensorType(y).getShape() != xt.getShape())
    return ctx.error("Scale and B must broadcast to the shape of X");
  ctx.setResult(0, y);
  if (ctx.numOutputs() > 1 && ctx.hasOutput(1))
    ctx.setResult(1, mean);
  if (ctx.numOutputs() > 2 && ctx.hasOutput(2))
    ctx.setResult(2, invStd);
  return success();
}

} // namespace

void registerNormConverters(ConverterRegistry &registry) {
  registry["BatchNormalization"] = {convertBatchNorm, 7};
  registry["LayerNormalization"] = {convertLayerNorm, 17};
}

} // namespace ipuc::onnx_import
