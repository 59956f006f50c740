//===- TosaHelpers.cpp - Small tosa-building utilities ---------------------===//
//
// Implements TosaHelpers.h. Every helper builds ops with explicit, static
// result types so that converters never depend on shape inference.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/TosaHelpers.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>

using namespace mlir;

namespace ipuc::onnx_import {

/// Constants up to this many elements are folded through reshapes.
static constexpr int64_t kFoldLimit = 4096;

Value expandToRank(OpBuilder &b, Location loc, Value value, int64_t rank) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() >= rank)
    return value;
  SmallVector<int64_t> shape(rank - type.getRank(), 1);
  llvm::append_range(shape, type.getShape());
  return reshapeTo(b, loc, value, shape);
}

std::pair<Value, Value> broadcastOperands(OpBuilder &b, Location loc,
                                          Value lhs, Value rhs) {
  int64_t rank = std::max(cast<RankedTensorType>(lhs.getType()).getRank(),
                          cast<RankedTensorType>(rhs.getType()).getRank());
  return {expandToRank(b, loc, lhs, rank), expandToRank(b, loc, rhs, rank)};
}

/// A splat attribute of `type` holding `value` converted to its element type.
static DenseElementsAttr splatAttr(RankedTensorType type, double value) {
  Type elementType = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    APFloat v(value);
    bool losesInfo = false;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    return DenseElementsAttr::get(type, v);
  }
  auto intType = cast<IntegerType>(elementType);
  if (intType.getWidth() == 1)
    return DenseElementsAttr::get(type, value != 0.0);
  APInt v(intType.getWidth(), static_cast<uint64_t>(static_cast<int64_t>(value)),
          /*isSigned=*/true);
  return DenseElementsAttr::get(type, v);
}

Value constScalar(OpBuilder &b, Location loc, Type elementType, double value,
                  int64_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  auto type = RankedTensorType::get(shape, elementType);
  return constTensor(b, loc, splatAttr(type, value));
}

Value constTensor(OpBuilder &b, Location loc, DenseElementsAttr attr) {
  return b.create<tosa::ConstOp>(loc, attr.getType(), attr);
}

Value constI64Vector(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return constTensor(b, loc, DenseIntElementsAttr::get(type, values));
}

Value constI32Vector(OpBuilder &b, Location loc, ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI32Type());
  return constTensor(b, loc, DenseIntElementsAttr::get(type, values));
}

Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  // Small constants (shape computations exported alongside a model) are
  // reshaped at import time so later converters still see them as constant.
  // Large ones (weights) are left to the compiler rather than copied.
  DenseElementsAttr attr;
  if (type.getNumElements() <= kFoldLimit &&
      matchPattern(value, m_Constant(&attr)))
    return constTensor(b, loc, attr.reshape(resultType));
  return b.create<tosa::ReshapeOp>(loc, resultType, value,
                                   b.getDenseI64ArrayAttr(shape));
}

Value transposeBy(OpBuilder &b, Location loc, Value value,
                  ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  bool identity = true;
  SmallVector<int64_t> shape;
  SmallVector<int32_t> perm32;
  for (auto [i, p] : llvm::enumerate(perm)) {
    identity &= static_cast<int64_t>(i) == p;
    shape.push_back(type.getDimSize(p));
    perm32.push_back(static_cast<int32_t>(p));
  }
  if (identity)
    return value;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return b.create<tosa::TransposeOp>(loc, resultType, value,
                                     constI32Vector(b, loc, perm32));
}

Value castTo(OpBuilder &b, Location loc, Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  // MLIR 19's tosa-to-linalg lowers float -> i64 casts with a saturation
  // check against the wrong bound (every value becomes INT64_MAX), so such
  // casts go through i32, which limits them to the i32 range.
  if (isa<FloatType>(type.getElementType()) && elementType.isInteger(64))
    value = b.create<tosa::CastOp>(loc, type.clone(b.getI32Type()), value);
  return b.create<tosa::CastOp>(loc, type.clone(elementType), value);
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return (axis < 0 || axis >= rank) ? -1 : axis;
}

} // namespace ipuc::onnx_import
