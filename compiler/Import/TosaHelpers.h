//===- TosaHelpers.h - Small tosa-building utilities for converters -*- C++ -*-//
//
// Shared by every converter so that broadcasting, constants, reshapes and
// transposes are built one way. Implemented in TosaHelpers.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_IMPORT_TOSAHELPERS_H
#define IPUC_COMPILER_IMPORT_TOSAHELPERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cstdint>
#include <utility>

namespace ipuc::onnx_import {

/// Reshapes `value` to `rank` by prepending unit dimensions (numpy rules).
mlir::Value expandToRank(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, int64_t rank);

/// Brings two operands of an elementwise op to equal rank for tosa's implicit
/// broadcasting.
std::pair<mlir::Value, mlir::Value>
broadcastOperands(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                  mlir::Value rhs);

/// A rank-`rank` all-ones-shaped constant holding `value` in `elementType`.
mlir::Value constScalar(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type elementType, double value, int64_t rank);

/// A constant of the given type from a dense attribute.
mlir::Value constTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::DenseElementsAttr attr);

/// A 1-D i64 / i32 constant (for shapes, permutations, paddings).
mlir::Value constI64Vector(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::ArrayRef<int64_t> values);
mlir::Value constI32Vector(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::ArrayRef<int32_t> values);

/// tosa.reshape to a static shape.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value value, llvm::ArrayRef<int64_t> shape);

/// tosa.transpose by `perm` (result[i] = input dim perm[i]).
mlir::Value transposeBy(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> perm);

/// tosa.cast to `elementType` (no-op when already that type).
mlir::Value castTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                   mlir::Type elementType);

/// Normalizes a possibly negative axis against `rank`; -1 when out of range.
int64_t normalizeAxis(int64_t axis, int64_t rank);

} // namespace ipuc::onnx_import

#endif // IPUC_COMPILER_IMPORT_TOSAHELPERS_H
