//===- ReductionOps.cpp - Reduction op converters ------------------------===//
//
// The Reduce* family becomes one tosa reduction per axis (tosa keeps reduced
// dimensions) plus elementwise pre/post-processing, and a final reshape when
// keepdims=0. Axes come from the `axes` attribute or, for ReduceSum since
// opset 13 and the others since 18, from a constant second input.
// ArgMax/ArgMin become tosa.argmax; tosa returns i32, ONNX wants i64.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NNHelpers.h"

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp
};

/// Reads the axes to reduce: normalized, sorted, unique. `noop` is set when
/// the axes are empty and noop_with_empty_axes asks for the identity.
LogicalResult readAxes(NodeContext &ctx, int64_t rank,
                       SmallVector<int64_t> &axes, bool &noop) {
  std::vector<int64_t> raw;
  if (ctx.hasAttr("axes")) {
    raw = ctx.attrInts("axes", {});
  } else if (ctx.numInputs() > 1 && ctx.hasInput(1)) {
    if (auto values = ctx.constantInts(1)) {
      raw = *values;
    } else if (ctx.inputType(1).getNumElements() != 0) {
      // A statically empty axes tensor needs no constant; anything else does.
      return ctx.error("axes must be a constant (an initializer or a Constant "
                       "node)");
    }
  }
  noop = raw.empty() && ctx.attrInt("noop_with_empty_axes", 0) != 0;
  if (raw.empty())
    for (int64_t i = 0; i < rank; ++i)
      raw.push_back(i);
  for (int64_t axis : raw) {
    int64_t a = normalizeAxis(axis, rank);
    if (a < 0)
      return ctx.error("axis " + llvm::Twine(axis) +
                       " is out of range for rank " + llvm::Twine(rank));
    axes.push_back(a);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return success();
}

LogicalResult convertReduce(NodeContext &ctx, ReduceKind kind) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value x = ctx.input(0);
  auto t = tensorType(x);
  int64_t rank = t.getRank();
  SmallVector<int64_t> axes;
  bool noop = false;
  if (failed(readAxes(ctx, rank, axes, noop)))
    return failure();
  if (noop) {
    ctx.setResult(0, x);
    return success();
  }
  bool needsFloat = kind == ReduceKind::Mean || kind == ReduceKind::L2 ||
                    kind == ReduceKind::LogSum || kind == ReduceKind::LogSumExp;
  if (needsFloat && !isFloatTensor(x))
    return ctx.error("supports floating-point inputs only");
  int64_t count = 1;
  for (int64_t a : axes)
    count *= t.getDimSize(a);

  Value r;
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
  case ReduceKind::LogSum:
    r = reduceAxes<tosa::ReduceSumOp>(b, loc, x, axes);
    if (kind == ReduceKind::Mean)
      r = scaleBy(b, loc, r, 1.0 / static_cast<double>(count));
    if (kind == ReduceKind::LogSum)
      r = unaryOp<tosa::LogOp>(b, loc, r);
    break;
  case ReduceKind::Max:
    r = reduceAxes<tosa::ReduceMaxOp>(b, loc, x, axes);
    break;
  case ReduceKind::Min:
    r = reduceAxes<tosa::ReduceMinOp>(b, loc, x, axes);
    break;
  case ReduceKind::Prod:
    r = reduceAxes<tosa::ReduceProdOp>(b, loc, x, axes);
    break;
  case ReduceKind::L1:
    r = reduceAxes<tosa::ReduceSumOp>(b, loc, unaryOp<tosa::AbsOp>(b, loc, x),
                                      axes);
    break;
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
    r = reduceAxes<tosa::ReduceSumOp>(b, loc, mulV(b, loc, x, x), axes);
    if (kind == ReduceKind::L2)
      r = binaryOp<tosa::PowOp>(
          b, loc, r, constScalar(b, loc, t.getElementType(), 0.5, rank));
    break;
  case ReduceKind::LogSumExp: {
    // log(sum(exp(x - m))) + m with m the maximum, so exp cannot overflow.
    Value m = reduceAxes<tosa::ReduceMaxOp>(b, loc, x, axes);
    Value e = unaryOp<tosa::ExpOp>(b, loc, subV(b, loc, x, m));
    r = addV(b, loc,
             unaryOp<tosa::LogOp>(
                 b, loc, reduceAxes<tosa::ReduceSumOp>(b, loc, e, axes)),
             m);
    break;
  }
  }
  if (!ctx.attrInt("keepdims", 1)) {
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < rank; ++i)
      if (!llvm::is_contained(axes, i))
        shape.push_back(t.getDimSize(i));
    r = reshapeTo(b, loc, r, shape);
  }
  ctx.setResult(0, r);
  return success();
}

/// ArgMin is ArgMax of the negation; select_last_index reverses the axis and
/// mirrors the index back.
LogicalResult convertArgExtreme(NodeContext &ctx, bool isMax) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value x = ctx.input(0);
  auto t = tensorType(x);
  int64_t rank = t.getRank();
  if (rank == 0)
    return ctx.error("expects an input of rank >= 1");
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (axis < 0)
    return ctx.error("axis is out of range for rank " + llvm::Twine(rank));
  if (!isMax) {
    if (!isFloatTensor(x) &&
        !llvm::cast<IntegerType>(t.getElementType()).isSignless())
      return ctx.error("ArgMin supports float and signless integer inputs");
    x = unaryOp<tosa::NegateOp>(b, loc, x);
  }
  bool last = ctx.attrInt("select_last_index", 0) != 0;
  if (last)
    x = b.create<tosa::ReverseOp>(
        loc, x.getType(), x, b.getI32IntegerAttr(static_cast<int32_t>(axis)));
  SmallVector<int64_t> argShape(t.getShape());
  argShape.erase(argShape.begin() + axis);
  Value idx = b.create<tosa::ArgMaxOp>(
      loc, RankedTensorType::get(argShape, b.getI32Type()), x,
      b.getI32IntegerAttr(static_cast<int32_t>(axis)));
  if (last)
    idx = subV(b, loc,
               constScalar(b, loc, b.getI32Type(), t.getDimSize(axis) - 1,
                           static_cast<int64_t>(argShape.size())),
               idx);
  idx = castTo(b, loc, idx, b.getI64Type());
  if (ctx.attrInt("keepdims", 1)) {
    SmallVector<int64_t> kept(t.getShape());
    kept[axis] = 1;
    idx = reshapeTo(b, loc, idx, kept);
  }
  ctx.setResult(0, idx);
  return success();
}

} // namespace

void registerReductionConverters(ConverterRegistry &registry) {
  auto reg = [&](llvm::StringRef name, ReduceKind kind) {
    registry[name] = {[kind](NodeContext &c) { return convertReduce(c, kind); },
                      1};
  };
  reg("ReduceSum", ReduceKind::Sum);
  reg("ReduceMean", ReduceKind::Mean);
  reg("ReduceMax", ReduceKind::Max);
  reg("ReduceMin", ReduceKind::Min);
  reg("ReduceProd", ReduceKind::Prod);
  reg("ReduceL1", ReduceKind::L1);
  reg("ReduceL2", ReduceKind::L2);
  reg("ReduceSumSquare", ReduceKind::SumSquare);
  reg("ReduceLogSum", ReduceKind::LogSum);
  reg("ReduceLogSumExp", ReduceKind::LogSumExp);
  registry["ArgMax"] = {
      [](NodeContext &c) { return convertArgExtreme(c, true); }, 1};
  registry["ArgMin"] = {
      [](NodeContext &c) { return convertArgExtreme(c, false); }, 1};
}

} // namespace ipuc::onnx_import
