//===- ElementwiseOps.cpp - Elementwise op converters ---------------------===//
//
// Arithmetic, math, activation, comparison and logical ONNX ops. All follow
// numpy broadcasting, which tosa expresses as equal ranks plus implicit
// size-1 expansion; the result types are computed here, never inferred.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/ConverterUtils.h"

#include "compiler/Import/OnnxTensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

bool isFloat(Value v) { return isa<FloatType>(shapeOf(v).getElementType()); }

/// A scalar constant shaped to broadcast against `like`.
Value scalarLike(NodeContext &ctx, Value like, double value) {
  return constScalar(ctx.builder(), ctx.loc(), shapeOf(like).getElementType(),
                     value, shapeOf(like).getRank());
}

Value mul(NodeContext &ctx, Value a, Value b) {
  return *buildBroadcast<tosa::MulOp>(ctx, a, b, Type(),
                                      ctx.builder().getI8IntegerAttr(0));
}

template <typename OpTy> Value unary(NodeContext &ctx, Value x) {
  return ctx.builder().create<OpTy>(ctx.loc(), x.getType(), x);
}

/// `pred ? a : b` for operands already of equal shape.
Value select(NodeContext &ctx, Value pred, Value a, Value b) {
  auto shape = broadcastShape(shapeOf(a).getShape(), shapeOf(b).getShape());
  shape = broadcastShape(*shape, shapeOf(pred).getShape());
  int64_t rank = shape->size();
  OpBuilder &bld = ctx.builder();
  // tosa.select's folder returns the chosen operand unbroadcast when the
  // condition is a splat constant, which breaks the result type; pick the
  // operand here and broadcast it explicitly instead.
  DenseElementsAttr predAttr;
  if (matchPattern(pred, m_Constant(&predAttr)) && predAttr.isSplat()) {
    Value chosen = expandToRank(bld, ctx.loc(), predAttr.getSplatValue<bool>() ? a : b,
                                rank);
    auto chosenShape = shapeOf(chosen).getShape();
    if (chosenShape == ArrayRef<int64_t>(*shape))
      return chosen;
    SmallVector<int64_t> multiples;
    for (int64_t i = 0; i < rank; ++i)
      multiples.push_back(chosenShape[i] == (*shape)[i] ? 1 : (*shape)[i]);
    return bld.create<tosa::TileOp>(
        ctx.loc(), RankedTensorType::get(*shape, shapeOf(a).getElementType()),
        chosen, bld.getDenseI64ArrayAttr(multiples));
  }
  return bld.create<tosa::SelectOp>(
      ctx.loc(), RankedTensorType::get(*shape, shapeOf(a).getElementType()),
      expandToRank(bld, ctx.loc(), pred, rank),
      expandToRank(bld, ctx.loc(), a, rank),
      expandToRank(bld, ctx.loc(), b, rank));
}

Value clamp(NodeContext &ctx, Value x, double lo, double hi) {
  OpBuilder &b = ctx.builder();
  Type et = shapeOf(x).getElementType();
  int64_t loI = std::numeric_limits<int64_t>::min();
  int64_t hiI = std::numeric_limits<int64_t>::max();
  if (auto it = dyn_cast<IntegerType>(et)) {
    unsigned w = it.getWidth();
    int64_t tmin = w >= 64 ? loI : -(int64_t(1) << (w - 1));
    int64_t tmax = w >= 64 ? hiI : (int64_t(1) << (w - 1)) - 1;
    loI = lo <= double(tmin) ? tmin : static_cast<int64_t>(std::ceil(lo));
    hiI = hi >= double(tmax) ? tmax : static_cast<int64_t>(std::floor(hi));
  }
  return b.create<tosa::ClampOp>(ctx.loc(), x.getType(), x,
                                 b.getI64IntegerAttr(loI),
                                 b.getI64IntegerAttr(hiI),
                                 b.getF32FloatAttr(static_cast<float>(lo)),
                                 b.getF32FloatAttr(static_cast<float>(hi)));
}

LogicalResult requireFloat(NodeContext &ctx, Value x) {
  if (!isFloat(x))
    return ctx.error("expects a floating-point input");
  return success();
}

LogicalResult requireSameElement(NodeContext &ctx, Value a, Value b) {
  if (shapeOf(a).getElementType() != shapeOf(b).getElementType())
    return ctx.error("operands have different element types");
  return success();
}

/// Broadcasts a small constant to `shape` (numpy rules), as a constant.
DenseElementsAttr broadcastConstant(DenseElementsAttr attr,
                                    ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(attr.getType());
  SmallVector<int64_t> expanded(shape.size() - type.getRank(), 1);
  llvm::append_range(expanded, type.getShape());
  attr = attr.reshape(type.clone(expanded));
  SmallVector<SmallVector<int64_t>> picks;
  for (auto [have, want] : llvm::zip(expanded, shape)) {
    picks.emplace_back();
    for (int64_t i = 0; i < want; ++i)
      picks.back().push_back(have == 1 ? 0 : i);
  }
  return pickConstant(attr, picks);
}

/// Integer arithmetic on small constants (exported shape computations) is
/// done at import time so that the shapes it feeds stay static.
template <typename Fn>
Value foldIntBinary(NodeContext &ctx, Value a, Value b, Fn fn) {
  DenseElementsAttr x = smallConstant(a), y = smallConstant(b);
  if (!x || !y || !isa<IntegerType>(x.getElementType()) ||
      x.getElementType().isInteger(1))
    return {};
  auto shape = broadcastShape(shapeOf(a).getShape(), shapeOf(b).getShape());
  if (!shape)
    return {};
  x = broadcastConstant(x, *shape);
  y = broadcastConstant(y, *shape);
  SmallVector<APInt> out;
  for (auto [u, v] : llvm::zip(x.getValues<APInt>(), y.getValues<APInt>())) {
    if (!fn(u, v, out))
      return {};
  }
  return constTensor(ctx.builder(), ctx.loc(),
                     DenseElementsAttr::get(cast<ShapedType>(x.getType()), out));
}

Value foldIntBinaryOp(NodeContext &ctx, llvm::StringRef op, Value a,
                      Value b) {
  return foldIntBinary(ctx, a, b,
                       [&](const APInt &u, const APInt &v,
                           SmallVector<APInt> &out) {
                         if (op == "Add")
                           out.push_back(u + v);
                         else if (op == "Sub")
                           out.push_back(u - v);
                         else if (op == "Mul")
                           out.push_back(u * v);
                         else if (op == "Div" && !v.isZero())
                           out.push_back(u.sdiv(v));
                         else
                           return false;
                         return true;
                       });
}

/// Converter for an ONNX op that is exactly one broadcasting tosa op.
template <typename OpTy> LogicalResult convertBinary(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)) ||
      failed(requireSameElement(ctx, ctx.input(0), ctx.input(1))))
    return failure();
  if (Value folded = foldIntBinaryOp(ctx, ctx.node().op_type(), ctx.input(0),
                                     ctx.input(1))) {
    ctx.setResult(0, folded);
    return success();
  }
  FailureOr<Value> r;
  if constexpr (std::is_same_v<OpTy, tosa::MulOp>)
    r = buildBroadcast<OpTy>(ctx, ctx.input(0), ctx.input(1), Type(),
                             ctx.builder().getI8IntegerAttr(0));
  else
    r = buildBroadcast<OpTy>(ctx, ctx.input(0), ctx.input(1), Type());
  if (failed(r))
    return failure();
  ctx.setResult(0, *r);
  return success();
}

/// Converter for a comparison; `swap` turns Less into Greater(b, a).
template <typename OpTy, bool swap> LogicalResult convertCompare(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)) ||
      failed(requireSameElement(ctx, ctx.input(0), ctx.input(1))))
    return failure();
  Value a = ctx.input(swap ? 1 : 0), b = ctx.input(swap ? 0 : 1);
  FailureOr<Value> r =
      buildBroadcast<OpTy>(ctx, a, b, ctx.builder().getI1Type());
  if (failed(r))
    return failure();
  ctx.setResult(0, *r);
  return success();
}

/// Converter for a one-input tosa op; float-only ops check their input.
template <typename OpTy, bool floatOnly> LogicalResult convertUnary(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  if (floatOnly && failed(requireFloat(ctx, ctx.input(0))))
    return failure();
  ctx.setResult(0, unary<OpTy>(ctx, ctx.input(0)));
  return success();
}

LogicalResult convertDiv(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)) ||
      failed(requireSameElement(ctx, ctx.input(0), ctx.input(1))))
    return failure();
  Value a = ctx.input(0), b = ctx.input(1);
  if (!broadcastShape(shapeOf(a).getShape(), shapeOf(b).getShape()))
    return ctx.error("operand shapes are not broadcastable");
  if (isFloat(a)) {
    // tosa has no float division; x * (1/y) is within the 1e-4 tolerance
    // ONNX's own tests allow.
    ctx.setResult(0, mul(ctx, a, unary<tosa::ReciprocalOp>(ctx, b)));
    return success();
  }
  if (Value folded = foldIntBinaryOp(ctx, "Div", a, b)) {
    ctx.setResult(0, folded);
    return success();
  }
  // tosa.int_div is i32-only and truncates toward zero like ONNX.
  OpBuilder &bld = ctx.builder();
  Type et = shapeOf(a).getElementType();
  Value a32 = castTo(bld, ctx.loc(), a, bld.getI32Type());
  Value b32 = castTo(bld, ctx.loc(), b, bld.getI32Type());
  Value q = *buildBroadcast<tosa::IntDivOp>(ctx, a32, b32, Type());
  ctx.setResult(0, castTo(bld, ctx.loc(), q, et));
  return success();
}

LogicalResult convertPow(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  OpBuilder &b = ctx.builder();
  Value x = ctx.input(0), y = ctx.input(1);
  Type et = shapeOf(x).getElementType();
  // Integer powers are computed in f32 and rounded back on the final cast.
  Type computeType = isFloat(x) ? et : b.getF32Type();
  Value xf = castTo(b, ctx.loc(), x, computeType);
  Value yf = castTo(b, ctx.loc(), y, computeType);
  FailureOr<Value> r = buildBroadcast<tosa::PowOp>(ctx, xf, yf, Type());
  if (failed(r))
    return failure();
  ctx.setResult(0, castTo(b, ctx.loc(), *r, et));
  return success();
}

LogicalResult convertSqrt(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)) || failed(requireFloat(ctx, ctx.input(0))))
    return failure();
  Value x = ctx.input(0);
  ctx.setResult(0, *buildBroadcast<tosa::PowOp>(ctx, x, scalarLike(ctx, x, 0.5),
                                                Type()));
  return success();
}

LogicalResult convertRelu(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  ctx.setResult(0, clamp(ctx, ctx.input(0), 0.0,
                         std::numeric_limits<double>::infinity()));
  return success();
}

/// x >= 0 ? x : negative(x) for the piecewise activations.
template <typename Fn> Value piecewise(NodeContext &ctx, Value x, Fn negative) {
  Value nonNeg = *buildBroadcast<tosa::GreaterEqualOp>(
      ctx, x, scalarLike(ctx, x, 0.0), ctx.builder().getI1Type());
  return select(ctx, nonNeg, x, negative(x));
}

template <typename Fn>
LogicalResult convertPiecewise(NodeContext &ctx, Fn negative) {
  if (failed(requireInputs(ctx, 1)) || failed(requireFloat(ctx, ctx.input(0))))
    return failure();
  ctx.setResult(0, piecewise(ctx, ctx.input(0), negative));
  return success();
}

LogicalResult convertLeakyRelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 0.01f);
  return convertPiecewise(
      ctx, [&](Value x) { return mul(ctx, x, scalarLike(ctx, x, alpha)); });
}

LogicalResult convertPRelu(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  Value slope = ctx.input(1);
  if (!broadcastShape(ctx.inputType(0).getShape(), shapeOf(slope).getShape()))
    return ctx.error("slope does not broadcast to the input");
  return convertPiecewise(ctx, [&](Value x) { return mul(ctx, x, slope); });
}

/// alpha * (exp(x) - 1), shared by Elu and Selu.
Value expm1Scaled(NodeContext &ctx, Value x, double alpha) {
  Value e = unary<tosa::ExpOp>(ctx, x);
  Value em1 =
      *buildBroadcast<tosa::SubOp>(ctx, e, scalarLike(ctx, x, 1.0), Type());
  return mul(ctx, em1, scalarLike(ctx, x, alpha));
}

LogicalResult convertElu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  return convertPiecewise(ctx,
                          [&](Value x) { return expm1Scaled(ctx, x, alpha); });
}

LogicalResult convertSelu(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)) || failed(requireFloat(ctx, ctx.input(0))))
    return failure();
  double alpha = ctx.attrFloat("alpha", 1.67326319217681884765625f);
  double gamma = ctx.attrFloat("gamma", 1.05070102214813232421875f);
  Value x = ctx.input(0);
  Value elu =
      piecewise(ctx, x, [&](Value v) { return expm1Scaled(ctx, v, alpha); });
  ctx.setResult(0, mul(ctx, elu, scalarLike(ctx, x, gamma)));
  return success();
}

LogicalResult convertHardSigmoid(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)) || failed(requireFloat(ctx, ctx.input(0))))
    return failure();
  Value x = ctx.input(0);
  double alpha = ctx.attrFloat("alpha", 0.2f);
  double beta = ctx.attrFloat("beta", 0.5f);
  Value ax = mul(ctx, x, scalarLike(ctx, x, alpha));
  Value axb =
      *buildBroadcast<tosa::AddOp>(ctx, ax, scalarLike(ctx, x, beta), Type());
  ctx.setResult(0, clamp(ctx, axb, 0.0, 1.0));
  return success();
}

LogicalResult convertSoftplus(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)) || failed(requireFloat(ctx, ctx.input(0))))
    return failure();
  Value x = ctx.input(0);
  Value e = unary<tosa::ExpOp>(ctx, x);
  Value e1 =
      *buildBroadcast<tosa::AddOp>(ctx, e, scalarLike(ctx, x, 1.0), Type());
  ctx.setResult(0, unary<tosa::LogOp>(ctx, e1));
  return success();
}

LogicalResult convertSign(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  Value x = ctx.input(0);
  Type i1 = ctx.builder().getI1Type();
  Value zero = scalarLike(ctx, x, 0.0);
  Value pos = *buildBroadcast<tosa::GreaterOp>(ctx, x, zero, i1);
  Value neg = *buildBroadcast<tosa::GreaterOp>(ctx, zero, x, i1);
  Value negOrZero =
      select(ctx, neg, scalarLike(ctx, x, -1.0), scalarLike(ctx, x, 0.0));
  ctx.setResult(0, select(ctx, pos, scalarLike(ctx, x, 1.0), negOrZero));
  return success();
}

LogicalResult convertClip(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  Value x = ctx.input(0);
  double inf = std::numeric_limits<double>::infinity();
  if (ctx.opset() < 11) {
    ctx.setResult(0, clamp(ctx, x, ctx.attrFloat("min", -3.402823e+38f),
                           ctx.attrFloat("max", 3.402823e+38f)));
    return success();
  }
  // Constant bounds become one tosa.clamp; computed bounds max/min.
  double lo = -inf, hi = inf;
  bool constant = true;
  for (size_t i : {1, 2}) {
    if (!ctx.hasInput(i))
      continue;
    auto v = ctx.constantFloats(i);
    if (!v || v->size() != 1) {
      constant = false;
      continue;
    }
    (i == 1 ? lo : hi) = v->front();
  }
  if (constant) {
    ctx.setResult(0, clamp(ctx, x, lo, hi));
    return success();
  }
  Value r = x;
  if (ctx.hasInput(1))
    r = *buildBroadcast<tosa::MaximumOp>(ctx, r, ctx.input(1), Type());
  if (ctx.hasInput(2))
    r = *buildBroadcast<tosa::MinimumOp>(ctx, r, ctx.input(2), Type());
  if (shapeOf(r).getShape() != shapeOf(x).getShape())
    return ctx.error("min/max must be scalars");
  ctx.setResult(0, r);
  return success();
}

/// Max, Min, Sum, Mean: a left fold over one or more broadcasting inputs.
template <typename OpTy, bool mean> LogicalResult convertVariadic(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  Value acc = ctx.input(0);
  for (size_t i = 1; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i) || failed(requireSameElement(ctx, acc, ctx.input(i))))
      return failure();
    FailureOr<Value> r = buildBroadcast<OpTy>(ctx, acc, ctx.input(i), Type());
    if (failed(r))
      return failure();
    acc = *r;
  }
  if (mean) {
    if (failed(requireFloat(ctx, acc)))
      return failure();
    acc = mul(ctx, acc, scalarLike(ctx, acc, 1.0 / ctx.numInputs()));
  }
  ctx.setResult(0, acc);
  return success();
}

LogicalResult convertWhere(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 3)) ||
      failed(requireSameElement(ctx, ctx.input(1), ctx.input(2))))
    return failure();
  Value c = ctx.input(0), x = ctx.input(1), y = ctx.input(2);
  if (!shapeOf(c).getElementType().isInteger(1))
    return ctx.error("condition must be bool");
  auto s = broadcastShape(shapeOf(c).getShape(), shapeOf(x).getShape());
  if (!s || !broadcastShape(*s, shapeOf(y).getShape()))
    return ctx.error("operand shapes are not broadcastable");
  ctx.setResult(0, select(ctx, c, x, y));
  return success();
}

LogicalResult convertNot(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  if (!ctx.inputType(0).getElementType().isInteger(1))
    return ctx.error("expects a bool input");
  ctx.setResult(0, unary<tosa::LogicalNotOp>(ctx, ctx.input(0)));
  return success();
}

LogicalResult convertCast(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  if (!ctx.hasAttr("to"))
    return ctx.error("missing attribute 'to'");
  int64_t to = ctx.attrInt("to", 0);
  OpBuilder &b = ctx.builder();
  Type target = convertDType(*b.getContext(), static_cast<int32_t>(to));
  if (!target)
    return ctx.error("unsupported dtype " +
                     onnxDTypeName(static_cast<int32_t>(to)) + " for Cast");
  Value x = ctx.input(0);
  // tosa.cast rounds floats to the nearest integer, ONNX truncates toward
  // zero: round toward zero explicitly first.
  if (isFloat(x) && isa<IntegerType>(target) && !target.isInteger(1)) {
    Value nonNeg = *buildBroadcast<tosa::GreaterEqualOp>(
        ctx, x, scalarLike(ctx, x, 0.0), b.getI1Type());
    x = select(ctx, nonNeg, unary<tosa::FloorOp>(ctx, x),
               unary<tosa::CeilOp>(ctx, x));
  }
  ctx.setResult(0, castTo(b, ctx.loc(), x, target));
  return success();
}

} // namespace

void registerElementwiseConverters(ConverterRegistry &r) {
  // The minimum opsets are where each op's current semantics (numpy
  // broadcasting, inputs instead of attributes) began.
  r["Add"] = {convertBinary<tosa::AddOp>, 7};
  r["Sub"] = {convertBinary<tosa::SubOp>, 7};
  r["Mul"] = {convertBinary<tosa::MulOp>, 7};
  r["Div"] = {convertDiv, 7};
  r["Pow"] = {convertPow, 7};
  r["And"] = {convertBinary<tosa::LogicalAndOp>, 7};
  r["Or"] = {convertBinary<tosa::LogicalOrOp>, 7};
  r["Xor"] = {convertBinary<tosa::LogicalXorOp>, 7};
  r["Equal"] = {convertCompare<tosa::EqualOp, false>, 7};
  r["Greater"] = {convertCompare<tosa::GreaterOp, false>, 7};
  r["Less"] = {convertCompare<tosa::GreaterOp, true>, 7};
  r["GreaterOrEqual"] = {convertCompare<tosa::GreaterEqualOp, false>, 12};
  r["LessOrEqual"] = {convertCompare<tosa::GreaterEqualOp, true>, 12};
  r["Max"] = {convertVariadic<tosa::MaximumOp, false>, 8};
  r["Min"] = {convertVariadic<tosa::MinimumOp, false>, 8};
  r["Sum"] = {convertVariadic<tosa::AddOp, false>, 8};
  r["Mean"] = {convertVariadic<tosa::AddOp, true>, 8};
  r["Neg"] = {convertUnary<tosa::NegateOp, false>, 6};
  r["Abs"] = {convertUnary<tosa::AbsOp, false>, 6};
  r["Exp"] = {convertUnary<tosa::ExpOp, true>, 6};
  r["Log"] = {convertUnary<tosa::LogOp, true>, 6};
  r["Tanh"] = {convertUnary<tosa::TanhOp, true>, 6};
  r["Sigmoid"] = {convertUnary<tosa::SigmoidOp, true>, 6};
  r["Erf"] = {convertUnary<tosa::ErfOp, true>, 9};
  r["Floor"] = {convertUnary<tosa::FloorOp, true>, 6};
  r["Ceil"] = {convertUnary<tosa::CeilOp, true>, 6};
  r["Reciprocal"] = {convertUnary<tosa::ReciprocalOp, true>, 6};
  r["Not"] = {convertNot, 1};
  r["Sqrt"] = {convertSqrt, 6};
  r["Relu"] = {convertRelu, 6};
  r["LeakyRelu"] = {convertLeakyRelu, 6};
  r["PRelu"] = {convertPRelu, 7};
  r["Elu"] = {convertElu, 6};
  r["Selu"] = {convertSelu, 6};
  r["HardSigmoid"] = {convertHardSigmoid, 6};
  r["Softplus"] = {convertSoftplus, 1};
  r["Sign"] = {convertSign, 9};
  r["Clip"] = {convertClip, 6};
  r["Where"] = {convertWhere, 9};
  r["Cast"] = {convertCast, 6};
}

} // namespace ipuc::onnx_import
