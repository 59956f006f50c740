//===- MoreElementwiseOps.cpp - Elementwise ops tosa has no op for --------===//
//
// Trigonometric and hyperbolic functions, rounding, Mod, bit shifts, NaN/Inf
// tests and the smaller activations (Softsign, HardSwish, ThresholdedRelu,
// Celu, Mish, Shrink). tosa (as of LLVM 19) has no op for most of these, so
// each is built directly as one elementwise `linalg.generic` whose body uses
// arith/math ops; the host plan evaluates such bodies as-is and the pipeline's
// tosa passes leave linalg untouched.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/ConverterUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

using BodyFn =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange args)>;

bool isFloatValue(Value v) {
  return isa<FloatType>(shapeOf(v).getElementType());
}

/// One elementwise linalg.generic over `inputs`, which numpy-broadcast to a
/// common shape (checked by the caller), producing `resultElement`.
Value buildElementwise(NodeContext &ctx, ArrayRef<Value> inputs,
                       Type resultElement, BodyFn body) {
  OpBuilder &b = ctx.builder();
  MLIRContext *mctx = b.getContext();
  mctx->getOrLoadDialect<linalg::LinalgDialect>();
  mctx->getOrLoadDialect<math::MathDialect>();
  mctx->getOrLoadDialect<arith::ArithDialect>();
  mctx->getOrLoadDialect<tensor::TensorDialect>();
  SmallVector<int64_t> shape;
  for (Value v : inputs)
    shape = *broadcastShape(shape, shapeOf(v).getShape());
  int64_t rank = shape.size();
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (Value v : inputs) {
    Value e = expandToRank(b, ctx.loc(), v, rank);
    ArrayRef<int64_t> s = shapeOf(e).getShape();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(s[d] == 1 && shape[d] != 1
                          ? getAffineConstantExpr(0, mctx)
                          : getAffineDimExpr(d, mctx));
    maps.push_back(AffineMap::get(rank, 0, exprs, mctx));
    operands.push_back(e);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, mctx));
  Value init = b.create<tensor::EmptyOp>(ctx.loc(), shape, resultElement);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      ctx.loc(), TypeRange{init.getType()}, operands, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location loc, ValueRange args) {
        Value r = body(nb, loc, args.drop_back());
        nb.create<linalg::YieldOp>(loc, r);
      });
  return generic.getResult(0);
}

Value fconst(OpBuilder &b, Location loc, Type t, double v) {
  return b.create<arith::ConstantOp>(loc, b.getFloatAttr(t, v));
}
Value iconst(OpBuilder &b, Location loc, Type t, int64_t v) {
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(t, v));
}

LogicalResult requireFloatInput(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  if (!isFloatValue(ctx.input(0)))
    return ctx.error("expects a floating-point input");
  return success();
}

/// A float unary op whose body is `fn(x)`.
template <typename Fn>
LogicalResult unaryFloat(NodeContext &ctx, Fn fn) {
  if (failed(requireFloatInput(ctx)))
    return failure();
  Value x = ctx.input(0);
  Type et = shapeOf(x).getElementType();
  ctx.setResult(0, buildElementwise(ctx, {x}, et,
                                    [&](OpBuilder &b, Location loc,
                                        ValueRange a) {
                                      return fn(b, loc, a[0], et);
                                    }));
  return success();
}

template <typename MathOp> LogicalResult convertMath(NodeContext &ctx) {
  return unaryFloat(ctx, [](OpBuilder &b, Location loc, Value x, Type) {
    return b.create<MathOp>(loc, x).getResult();
  });
}

LogicalResult convertRound(NodeContext &ctx) {
  return unaryFloat(ctx, [](OpBuilder &b, Location loc, Value x, Type) {
    return b.create<math::RoundEvenOp>(loc, x).getResult();
  });
}

LogicalResult convertSoftsign(NodeContext &ctx) {
  return unaryFloat(ctx, [](OpBuilder &b, Location loc, Value x, Type t) {
    Value d = b.create<arith::AddFOp>(loc, fconst(b, loc, t, 1.0),
                                      b.create<math::AbsFOp>(loc, x));
    return b.create<arith::DivFOp>(loc, x, d).getResult();
  });
}

LogicalResult convertHardSwish(NodeContext &ctx) {
  return unaryFloat(ctx, [](OpBuilder &b, Location loc, Value x, Type t) {
    // x * max(0, min(1, x/6 + 0.5))
    Value h = b.create<arith::AddFOp>(
        loc, b.create<arith::MulFOp>(loc, x, fconst(b, loc, t, 1.0 / 6.0)),
        fconst(b, loc, t, 0.5));
    h = b.create<arith::MinimumFOp>(loc, h, fconst(b, loc, t, 1.0));
    h = b.create<arith::MaximumFOp>(loc, h, fconst(b, loc, t, 0.0));
    return b.create<arith::MulFOp>(loc, x, h).getResult();
  });
}

LogicalResult convertThresholdedRelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  return unaryFloat(ctx, [&](OpBuilder &b, Location loc, Value x, Type t) {
    Value gt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x,
                                       fconst(b, loc, t, alpha));
    return b.create<arith::SelectOp>(loc, gt, x, fconst(b, loc, t, 0.0))
        .getResult();
  });
}

LogicalResult convertCelu(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 1.0f);
  if (alpha == 0.0)
    return ctx.error("attribute 'alpha' must be non-zero");
  return unaryFloat(ctx, [&](OpBuilder &b, Location loc, Value x, Type t) {
    // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
    Value zero = fconst(b, loc, t, 0.0);
    Value e = b.create<math::ExpOp>(
        loc, b.create<arith::DivFOp>(loc, x, fconst(b, loc, t, alpha)));
    Value neg = b.create<arith::MulFOp>(
        loc, fconst(b, loc, t, alpha),
        b.create<arith::SubFOp>(loc, e, fconst(b, loc, t, 1.0)));
    return b
        .create<arith::AddFOp>(loc, b.create<arith::MaximumFOp>(loc, zero, x),
                               b.create<arith::MinimumFOp>(loc, zero, neg))
        .getResult();
  });
}

LogicalResult convertMish(NodeContext &ctx) {
  return unaryFloat(ctx, [](OpBuilder &b, Location loc, Value x, Type t) {
    // x * tanh(softplus(x)), softplus(x) = max(x, 0) + log1p(exp(-|x|)).
    Value zero = fconst(b, loc, t, 0.0);
    Value e = b.create<math::ExpOp>(
        loc, b.create<arith::NegFOp>(loc, b.create<math::AbsFOp>(loc, x)));
    Value sp = b.create<arith::AddFOp>(
        loc, b.create<arith::MaximumFOp>(loc, x, zero),
        b.create<math::Log1pOp>(loc, e));
    return b.create<arith::MulFOp>(loc, x, b.create<math::TanhOp>(loc, sp))
        .getResult();
  });
}

LogicalResult convertShrink(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  double lambd = ctx.attrFloat("lambd", 0.5f);
  double bias = ctx.attrFloat("bias", 0.0f);
  Value x = ctx.input(0);
  Type et = shapeOf(x).getElementType();
  bool isF = isa<FloatType>(et);
  if (!isF && !isa<IntegerType>(et))
    return ctx.error("unsupported element type");
  if (et.isInteger(1))
    return ctx.error("expects a numeric input");
  ctx.setResult(
      0, buildElementwise(ctx, {x}, et, [&](OpBuilder &b, Location loc,
                                            ValueRange a) -> Value {
        Value v = a[0];
        if (isF) {
          Value lt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, v,
                                             fconst(b, loc, et, -lambd));
          Value gt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, v,
                                             fconst(b, loc, et, lambd));
          Value plus = b.create<arith::AddFOp>(loc, v, fconst(b, loc, et, bias));
          Value minus =
              b.create<arith::SubFOp>(loc, v, fconst(b, loc, et, bias));
          Value r = b.create<arith::SelectOp>(loc, gt, minus,
                                              fconst(b, loc, et, 0.0));
          return b.create<arith::SelectOp>(loc, lt, plus, r);
        }
        // Integer input: compare in f64 semantics via exact integer bounds.
        Value vf = b.create<arith::SIToFPOp>(loc, b.getF64Type(), v);
        Value lt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, vf,
                                           fconst(b, loc, b.getF64Type(), -lambd));
        Value gt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, vf,
                                           fconst(b, loc, b.getF64Type(), lambd));
        Value bi = iconst(b, loc, et, static_cast<int64_t>(bias));
        Value plus = b.create<arith::AddIOp>(loc, v, bi);
        Value minus = b.create<arith::SubIOp>(loc, v, bi);
        Value r =
            b.create<arith::SelectOp>(loc, gt, minus, iconst(b, loc, et, 0));
        return b.create<arith::SelectOp>(loc, lt, plus, r);
      }));
  return success();
}

LogicalResult convertIsNaN(NodeContext &ctx) {
  if (failed(requireFloatInput(ctx)))
    return failure();
  ctx.setResult(0, buildElementwise(ctx, {ctx.input(0)},
                                    ctx.builder().getI1Type(),
                                    [](OpBuilder &b, Location loc,
                                       ValueRange a) -> Value {
                                      // x != x
                                      return b.create<arith::CmpFOp>(
                                          loc, arith::CmpFPredicate::UNO, a[0],
                                          a[0]);
                                    }));
  return success();
}

LogicalResult convertIsInf(NodeContext &ctx) {
  if (failed(requireFloatInput(ctx)))
    return failure();
  bool pos = ctx.attrInt("detect_positive", 1) != 0;
  bool neg = ctx.attrInt("detect_negative", 1) != 0;
  Type et = ctx.inputType(0).getElementType();
  ctx.setResult(
      0, buildElementwise(
             ctx, {ctx.input(0)}, ctx.builder().getI1Type(),
             [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
               double inf = std::numeric_limits<double>::infinity();
               auto equals = [&](double v) -> Value {
                 return b.create<arith::CmpFOp>(
                     loc, arith::CmpFPredicate::OEQ, a[0], fconst(b, loc, et, v));
               };
               if (pos && neg)
                 return b.create<arith::OrIOp>(loc, equals(inf), equals(-inf));
               if (pos)
                 return equals(inf);
               if (neg)
                 return equals(-inf);
               return iconst(b, loc, b.getI1Type(), 0);
             }));
  return success();
}

LogicalResult requireBroadcastPair(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  if (ctx.inputType(0).getElementType() != ctx.inputType(1).getElementType())
    return ctx.error("operands have different element types");
  if (!broadcastShape(ctx.inputType(0).getShape(),
                      ctx.inputType(1).getShape()))
    return ctx.error("operand shapes are not broadcastable");
  return success();
}

LogicalResult convertMod(NodeContext &ctx) {
  if (failed(requireBroadcastPair(ctx)))
    return failure();
  bool fmod = ctx.attrInt("fmod", 0) != 0;
  Type et = ctx.inputType(0).getElementType();
  bool isF = isa<FloatType>(et);
  if (isF && !fmod)
    return ctx.error("floating-point Mod requires fmod=1");
  if (!isF && (!isa<IntegerType>(et) || et.isInteger(1)))
    return ctx.error("expects numeric inputs");
  ctx.setResult(
      0, buildElementwise(
             ctx, {ctx.input(0), ctx.input(1)}, et,
             [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
               if (isF)
                 return b.create<arith::RemFOp>(loc, a[0], a[1]);
               // Guard the divisor: x % 0 is undefined in ONNX; give 0.
               Value zero = iconst(b, loc, et, 0);
               Value isZero = b.create<arith::CmpIOp>(
                   loc, arith::CmpIPredicate::eq, a[1], zero);
               Value d = b.create<arith::SelectOp>(loc, isZero,
                                                   iconst(b, loc, et, 1), a[1]);
               Value r = b.create<arith::RemSIOp>(loc, a[0], d);
               if (!fmod) {
                 // Python-style: the result takes the divisor's sign.
                 Value rNeg = b.create<arith::CmpIOp>(
                     loc, arith::CmpIPredicate::slt, r, zero);
                 Value dNeg = b.create<arith::CmpIOp>(
                     loc, arith::CmpIPredicate::slt, d, zero);
                 Value rNonZero = b.create<arith::CmpIOp>(
                     loc, arith::CmpIPredicate::ne, r, zero);
                 Value differ = b.create<arith::XOrIOp>(loc, rNeg, dNeg);
                 Value fix = b.create<arith::AndIOp>(loc, differ, rNonZero);
                 r = b.create<arith::SelectOp>(
                     loc, fix, b.create<arith::AddIOp>(loc, r, d), r);
               }
               return b.create<arith::SelectOp>(loc, isZero, zero, r);
             }));
  return success();
}

LogicalResult convertBitShift(NodeContext &ctx) {
  if (failed(requireBroadcastPair(ctx)))
    return failure();
  std::string dir = ctx.attrString("direction", "");
  if (dir != "LEFT" && dir != "RIGHT")
    return ctx.error("attribute 'direction' must be \"LEFT\" or \"RIGHT\"");
  Type et = ctx.inputType(0).getElementType();
  if (!isa<IntegerType>(et) || et.isInteger(1))
    return ctx.error("expects integer inputs");
  unsigned width = et.getIntOrFloatBitWidth();
  bool left = dir == "LEFT";
  ctx.setResult(
      0, buildElementwise(
             ctx, {ctx.input(0), ctx.input(1)}, et,
             [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
               // Shifting by the bit width or more gives 0 (unsigned types).
               Value r = left ? b.create<arith::ShLIOp>(loc, a[0], a[1])
                                    .getResult()
                              : b.create<arith::ShRUIOp>(loc, a[0], a[1])
                                    .getResult();
               Value big = b.create<arith::CmpIOp>(
                   loc, arith::CmpIPredicate::uge, a[1],
                   iconst(b, loc, et, width));
               return b.create<arith::SelectOp>(loc, big, iconst(b, loc, et, 0),
                                                r);
             }));
  return success();
}

} // namespace

void registerMoreElementwiseConverters(ConverterRegistry &r) {
  r["Sin"] = {convertMath<math::SinOp>, 7};
  r["Cos"] = {convertMath<math::CosOp>, 7};
  r["Tan"] = {convertMath<math::TanOp>, 7};
  r["Asin"] = {convertMath<math::AsinOp>, 7};
  r["Acos"] = {convertMath<math::AcosOp>, 7};
  r["Atan"] = {convertMath<math::AtanOp>, 7};
  r["Sinh"] = {convertMath<math::SinhOp>, 9};
  r["Cosh"] = {convertMath<math::CoshOp>, 9};
  r["Asinh"] = {convertMath<math::AsinhOp>, 9};
  r["Acosh"] = {convertMath<math::AcoshOp>, 9};
  r["Atanh"] = {convertMath<math::AtanhOp>, 9};
  r["Round"] = {convertRound, 11};
  r["Softsign"] = {convertSoftsign, 1};
  r["HardSwish"] = {convertHardSwish, 14};
  r["ThresholdedRelu"] = {convertThresholdedRelu, 10};
  r["Celu"] = {convertCelu, 12};
  r["Mish"] = {convertMish, 1};
  r["Shrink"] = {convertShrink, 9};
  r["IsNaN"] = {convertIsNaN, 9};
  r["IsInf"] = {convertIsInf, 10};
  r["Mod"] = {convertMod, 10};
  r["BitShift"] = {convertBitShift, 11};
}

} // namespace ipuc::onnx_import
