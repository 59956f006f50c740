//===- ConverterUtils.h - Helpers shared by this folder's converters -*- C++ -*-//
//
// Private to the importer: input checks and numpy-style broadcasting used by
// the elementwise and tensor converters.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_IMPORT_CONVERTERUTILS_H
#define IPUC_COMPILER_IMPORT_CONVERTERUTILS_H

#include "compiler/Import/NodeImporter.h"
#include "compiler/Import/TosaHelpers.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <optional>

namespace ipuc::onnx_import {

/// Fails with a message unless inputs 0..count-1 are all present.
inline mlir::LogicalResult requireInputs(NodeContext &ctx, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (!ctx.hasInput(i))
      return ctx.error("expects at least " + llvm::Twine(count) +
                       " inputs, input " + llvm::Twine(i) + " is missing");
  return mlir::success();
}

/// Product of `dims` (1 for none); dims may be any sign (e.g. -1 in a
/// Reshape's requested shape).
inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// The numpy broadcast of two shapes, or nullopt when incompatible.
inline std::optional<llvm::SmallVector<int64_t>>
broadcastShape(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

inline mlir::RankedTensorType shapeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType());
}

/// Builds a broadcasting binary tosa op with an explicit result type whose
/// element type is `resultElement` (or the lhs element type when null).
template <typename OpTy, typename... Extra>
mlir::FailureOr<mlir::Value>
buildBroadcast(NodeContext &ctx, mlir::Value lhs, mlir::Value rhs,
               mlir::Type resultElement, Extra... extra) {
  auto shape =
      broadcastShape(shapeOf(lhs).getShape(), shapeOf(rhs).getShape());
  if (!shape)
    return ctx.error("operand shapes are not broadcastable");
  if (!resultElement)
    resultElement = shapeOf(lhs).getElementType();
  auto [l, r] = broadcastOperands(ctx.builder(), ctx.loc(), lhs, rhs);
  return ctx.builder()
      .create<OpTy>(ctx.loc(), mlir::RankedTensorType::get(*shape, resultElement),
                    l, r, extra...)
      .getResult();
}

/// The constant integer contents of input `i` (named `what` in the error),
/// or an error saying it is missing or not a constant.
mlir::FailureOr<std::vector<int64_t>>
requireConstantInts(NodeContext &ctx, size_t i, llvm::StringRef what);

/// tosa.slice of `value` by `start` and `size` along every axis; `value`
/// itself when the slice is the whole tensor.
mlir::Value sliceTo(NodeContext &ctx, mlir::Value value,
                    llvm::ArrayRef<int64_t> start, llvm::ArrayRef<int64_t> size);

/// The contents of `value` when it is a constant of at most a few thousand
/// elements; such constants (shape arithmetic) are folded at import time.
mlir::DenseElementsAttr smallConstant(mlir::Value value);

/// result[i0, i1, ...] = attr[picks[0][i0], picks[1][i1], ...]: the constant
/// form of slicing and gathering along each axis.
mlir::DenseElementsAttr
pickConstant(mlir::DenseElementsAttr attr,
             llvm::ArrayRef<llvm::SmallVector<int64_t>> picks);

} // namespace ipuc::onnx_import

#endif // IPUC_COMPILER_IMPORT_CONVERTERUTILS_H
