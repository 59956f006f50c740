//===- ElementwiseUpdate.cpp - One fused kernel per update rule ----------===//

#include "dialects/Optimizer/Transforms/ElementwiseUpdate.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace ipuc {

Value ScalarMath::constant(double value) {
  return b.create<arith::ConstantOp>(loc, type, b.getFloatAttr(type, value));
}
Value ScalarMath::add(Value x, Value y) {
  return b.create<arith::AddFOp>(loc, x, y);
}
Value ScalarMath::sub(Value x, Value y) {
  return b.create<arith::SubFOp>(loc, x, y);
}
Value ScalarMath::mul(Value x, Value y) {
  return b.create<arith::MulFOp>(loc, x, y);
}
Value ScalarMath::div(Value x, Value y) {
  return b.create<arith::DivFOp>(loc, x, y);
}
Value ScalarMath::scale(double k, Value x) {
  return k == 1.0 ? x : mul(constant(k), x);
}
Value ScalarMath::sqrt(Value x) { return b.create<math::SqrtOp>(loc, x); }
Value ScalarMath::expm1(Value x) { return b.create<math::ExpM1Op>(loc, x); }
Value ScalarMath::isZero(Value x) {
  return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, x,
                                 constant(0.0));
}
Value ScalarMath::select(Value cond, Value x, Value y) {
  return b.create<arith::SelectOp>(loc, cond, x, y);
}
Value ScalarMath::fromF32(Value x) {
  if (type.getWidth() == 32)
    return x;
  if (type.getWidth() > 32)
    return b.create<arith::ExtFOp>(loc, type, x);
  return b.create<arith::TruncFOp>(loc, type, x);
}

SmallVector<Value> buildElementwiseUpdate(OpBuilder &builder, Location loc,
                                          ValueRange elementwise,
                                          ValueRange broadcast,
                                          unsigned numResults,
                                          UpdateBody body) {
  auto type = cast<RankedTensorType>(elementwise.front().getType());
  unsigned rank = type.getRank();
  MLIRContext *ctx = builder.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);

  SmallVector<Value> inputs(elementwise.begin(), elementwise.end());
  inputs.append(broadcast.begin(), broadcast.end());
  SmallVector<AffineMap> maps(elementwise.size(), identity);
  maps.append(broadcast.size(), scalar);
  maps.append(numResults, identity);

  // Dynamic dimensions are taken from the parameter itself.
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(builder, loc, elementwise.front());
  Value empty =
      builder.create<tensor::EmptyOp>(loc, sizes, type.getElementType());
  SmallVector<Value> inits(numResults, empty);
  SmallVector<Type> resultTypes(numResults, type);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);

  auto generic = builder.create<linalg::GenericOp>(
      loc, resultTypes, inputs, inits, maps, iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        ScalarMath math(b, bodyLoc, cast<FloatType>(type.getElementType()));
        SmallVector<Value> yields =
            body(math, args.take_front(elementwise.size()),
                 args.slice(elementwise.size(), broadcast.size()));
        b.create<linalg::YieldOp>(bodyLoc, yields);
      });
  return SmallVector<Value>(generic.getResults());
}

SmallVector<Value> buildScalarKernel(
    OpBuilder &builder, Location loc, ValueRange inputs, TypeRange resultTypes,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<Value> inits;
  SmallVector<Type> types;
  for (Type element : resultTypes) {
    inits.push_back(
        builder.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, element));
    types.push_back(inits.back().getType());
  }
  AffineMap map = AffineMap::get(0, 0, {}, builder.getContext());
  SmallVector<AffineMap> maps(inputs.size() + inits.size(), map);
  auto generic = builder.create<linalg::GenericOp>(
      loc, types, inputs, inits, maps, ArrayRef<utils::IteratorType>{},
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        b.create<linalg::YieldOp>(
            bodyLoc, body(b, bodyLoc, args.take_front(inputs.size())));
      });
  return SmallVector<Value>(generic.getResults());
}

SmallVector<Value> buildStepKernel(OpBuilder &builder, Location loc, Value step,
                                   TypeRange scalarTypes, StepBody body) {
  SmallVector<Type> types = {builder.getF32Type()};
  llvm::append_range(types, scalarTypes);
  return buildScalarKernel(
      builder, loc, {step}, types,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        ScalarMath f32(b, bodyLoc, b.getF32Type());
        Value t = f32.add(args[0], f32.constant(1.0));
        SmallVector<Value> yields = {t};
        if (body)
          llvm::append_range(yields, body(b, bodyLoc, args[0], t));
        return yields;
      });
}

Value buildSumOfSquares(OpBuilder &builder, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  MLIRContext *ctx = builder.getContext();
  Value zero = builder.create<arith::ConstantOp>(
      loc, element, builder.getFloatAttr(element, 0.0));
  Value empty =
      builder.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, element);
  Value init = builder.create<linalg::FillOp>(loc, zero, empty).getResult(0);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, {}, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  auto generic = builder.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        ScalarMath math(b, bodyLoc, cast<FloatType>(element));
        b.create<linalg::YieldOp>(
            bodyLoc, math.add(args[1], math.mul(args[0], args[0])));
      });
  return generic.getResult(0);
}

} // namespace ipuc
