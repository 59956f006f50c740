//===- TosaBuild.cpp - tosa builders for the gradient rules --------------===//

#include "compiler/Autodiff/TosaBuild.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace ipuc::autodiff {

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// tosa broadcasting: equal ranks, and each extent equal or 1.
static SmallVector<int64_t> broadcastShape(ArrayRef<int64_t> x,
                                           ArrayRef<int64_t> y) {
  SmallVector<int64_t> shape;
  for (auto [a, b] : llvm::zip_equal(x, y))
    shape.push_back(a == 1 ? b : a);
  return shape;
}

Value TosaBuild::splat(RankedTensorType type, double value) {
  Attribute element = b.getFloatAttr(type.getElementType(), value);
  return b.create<tosa::ConstOp>(loc, type,
                                 DenseElementsAttr::get(type, element));
}

Value TosaBuild::scalarLike(Value like, double value) {
  RankedTensorType type = tensorType(like);
  SmallVector<int64_t> ones(type.getRank(), 1);
  return splat(RankedTensorType::get(ones, type.getElementType()), value);
}

Value TosaBuild::binary(StringRef name, Value x, Value y, Type elementType) {
  auto type = RankedTensorType::get(
      broadcastShape(tensorType(x).getShape(), tensorType(y).getShape()),
      elementType);
  OperationState state(loc, name);
  state.addOperands({x, y});
  state.addTypes(type);
  if (name == tosa::MulOp::getOperationName())
    state.addAttribute("shift", b.getI8IntegerAttr(0));
  return b.create(state)->getResult(0);
}

Value TosaBuild::add(Value x, Value y) {
  return binary(tosa::AddOp::getOperationName(), x, y,
                tensorType(x).getElementType());
}
Value TosaBuild::sub(Value x, Value y) {
  return binary(tosa::SubOp::getOperationName(), x, y,
                tensorType(x).getElementType());
}
Value TosaBuild::mul(Value x, Value y) {
  return binary(tosa::MulOp::getOperationName(), x, y,
                tensorType(x).getElementType());
}
Value TosaBuild::negate(Value x) {
  return b.create<tosa::NegateOp>(loc, x.getType(), x);
}
Value TosaBuild::reciprocal(Value x) {
  return b.create<tosa::ReciprocalOp>(loc, x.getType(), x);
}
Value TosaBuild::exp(Value x) {
  return b.create<tosa::ExpOp>(loc, x.getType(), x);
}

Value TosaBuild::greaterEqualMask(Value x, Value y) {
  Value mask =
      binary(tosa::GreaterEqualOp::getOperationName(), x, y, b.getI1Type());
  return b.create<tosa::CastOp>(
      loc, tensorType(mask).clone(tensorType(x).getElementType()), mask);
}

Value TosaBuild::equalMask(Value x, Value y) {
  Value mask = binary(tosa::EqualOp::getOperationName(), x, y, b.getI1Type());
  return b.create<tosa::CastOp>(
      loc, tensorType(mask).clone(tensorType(x).getElementType()), mask);
}

Value TosaBuild::reshape(Value x, ArrayRef<int64_t> shape) {
  if (tensorType(x).getShape() == shape)
    return x;
  return b.create<tosa::ReshapeOp>(loc, tensorType(x).clone(shape), x,
                                   b.getDenseI64ArrayAttr(shape));
}

Value TosaBuild::transpose(Value x, ArrayRef<int32_t> perms) {
  auto permsType =
      RankedTensorType::get({int64_t(perms.size())}, b.getI32Type());
  Value permsValue = b.create<tosa::ConstOp>(
      loc, permsType, DenseIntElementsAttr::get(permsType, perms));
  SmallVector<int64_t> shape;
  for (int32_t p : perms)
    shape.push_back(tensorType(x).getDimSize(p));
  return b.create<tosa::TransposeOp>(loc, tensorType(x).clone(shape), x,
                                     permsValue);
}

Value TosaBuild::reduceSum(Value x, int64_t axis) {
  SmallVector<int64_t> shape(tensorType(x).getShape());
  shape[axis] = 1;
  return b.create<tosa::ReduceSumOp>(loc, tensorType(x).clone(shape), x,
                                     b.getI32IntegerAttr(axis));
}

Value TosaBuild::tile(Value x, ArrayRef<int64_t> multiples) {
  SmallVector<int64_t> shape;
  for (auto [d, m] : llvm::zip_equal(tensorType(x).getShape(), multiples))
    shape.push_back(d * m);
  return b.create<tosa::TileOp>(loc, tensorType(x).clone(shape), x,
                                b.getDenseI64ArrayAttr(multiples));
}

Value TosaBuild::matmul(Value x, Value y) {
  RankedTensorType xt = tensorType(x), yt = tensorType(y);
  auto type = RankedTensorType::get(
      {xt.getDimSize(0), xt.getDimSize(1), yt.getDimSize(2)},
      xt.getElementType());
  return b.create<tosa::MatMulOp>(loc, type, x, y);
}

Value TosaBuild::reverse(Value x, int64_t axis) {
  return b.create<tosa::ReverseOp>(loc, x.getType(), x,
                                   b.getI32IntegerAttr(axis));
}

Value TosaBuild::slice(Value x, ArrayRef<int64_t> start,
                       ArrayRef<int64_t> size) {
  if (tensorType(x).getShape() == size)
    return x;
  return b.create<tosa::SliceOp>(loc, tensorType(x).clone(size), x,
                                 b.getDenseI64ArrayAttr(start),
                                 b.getDenseI64ArrayAttr(size));
}

Value TosaBuild::pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  SmallVector<int64_t> padding, shape;
  for (auto [d, l, h] : llvm::zip_equal(tensorType(x).getShape(), low, high)) {
    padding.append({l, h});
    shape.push_back(d + l + h);
  }
  auto paddingType =
      RankedTensorType::get({int64_t(low.size()), 2}, b.getI64Type());
  Value paddingValue = b.create<tosa::ConstOp>(
      loc, paddingType, DenseIntElementsAttr::get(paddingType, padding));
  return b.create<tosa::PadOp>(loc, tensorType(x).clone(shape), x,
                               paddingValue);
}

Value TosaBuild::conv2d(Value input, Value weight, ArrayRef<int64_t> pad,
                        ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation) {
  ArrayRef<int64_t> in = tensorType(input).getShape();
  ArrayRef<int64_t> w = tensorType(weight).getShape();
  auto extent = [&](int i) {
    return (in[1 + i] + pad[2 * i] + pad[2 * i + 1] -
            dilation[i] * (w[1 + i] - 1) - 1) /
               stride[i] +
           1;
  };
  RankedTensorType type = tensorType(input);
  Value bias = splat(type.clone({w[0]}), 0.0);
  return b.create<tosa::Conv2DOp>(
      loc, type.clone({in[0], extent(0), extent(1), w[0]}), input, weight, bias,
      b.getDenseI64ArrayAttr(pad), b.getDenseI64ArrayAttr(stride),
      b.getDenseI64ArrayAttr(dilation));
}

Value TosaBuild::sumToShape(Value grad, ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> have = tensorType(grad).getShape();
  int64_t lead = int64_t(have.size()) - int64_t(shape.size());
  for (int64_t axis = 0; axis < int64_t(have.size()); ++axis) {
    int64_t want = axis < lead ? 1 : shape[axis - lead];
    if (want == 1 && have[axis] != 1) {
      grad = reduceSum(grad, axis);
      have = tensorType(grad).getShape();
    }
  }
  return reshape(grad, shape);
}

} // namespace ipuc::autodiff
