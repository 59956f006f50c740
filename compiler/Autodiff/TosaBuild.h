//===- TosaBuild.h - tosa builders for the gradient rules -------*- C++ -*-===//
//
// Gradient rules are written in tosa, so the backward pass goes through the
// same pipelines as the forward one. These builders compute result types
// (including tosa's rank-equal broadcasting), which the generated tosa
// builders leave to the caller.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_AUTODIFF_TOSABUILD_H
#define IPUC_COMPILER_AUTODIFF_TOSABUILD_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace ipuc::autodiff {

class TosaBuild {
public:
  TosaBuild(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  mlir::Location getLoc() const { return loc; }

  /// A splat constant of `type`.
  mlir::Value splat(mlir::RankedTensorType type, double value);
  /// A splat constant of shape 1x..x1 in `like`'s rank and element type, for
  /// broadcasting a scalar against `like`.
  mlir::Value scalarLike(mlir::Value like, double value);

  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value negate(mlir::Value x);
  mlir::Value reciprocal(mlir::Value x);
  mlir::Value exp(mlir::Value x);
  /// 1.0 where `x >= y`, 0.0 elsewhere, in `x`'s element type.
  mlir::Value greaterEqualMask(mlir::Value x, mlir::Value y);
  /// 1.0 where `x == y`, 0.0 elsewhere, in `x`'s element type.
  mlir::Value equalMask(mlir::Value x, mlir::Value y);

  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape);
  mlir::Value transpose(mlir::Value x, llvm::ArrayRef<int32_t> perms);
  mlir::Value reduceSum(mlir::Value x, int64_t axis);
  mlir::Value tile(mlir::Value x, llvm::ArrayRef<int64_t> multiples);
  mlir::Value matmul(mlir::Value x, mlir::Value y);
  mlir::Value reverse(mlir::Value x, int64_t axis);
  mlir::Value slice(mlir::Value x, llvm::ArrayRef<int64_t> start,
                    llvm::ArrayRef<int64_t> size);
  /// Zero padding by `low` and `high` elements along each axis.
  mlir::Value pad(mlir::Value x, llvm::ArrayRef<int64_t> low,
                  llvm::ArrayRef<int64_t> high);
  /// An NHWC x OHWI tosa.conv2d with a zero bias.
  mlir::Value conv2d(mlir::Value input, mlir::Value weight,
                     llvm::ArrayRef<int64_t> pad,
                     llvm::ArrayRef<int64_t> stride,
                     llvm::ArrayRef<int64_t> dilation);

  /// Sums a broadcast gradient back to `shape`: over the axes where `shape`
  /// has extent 1 and `grad` does not, and over leading axes `shape` lacks.
  mlir::Value sumToShape(mlir::Value grad, llvm::ArrayRef<int64_t> shape);

private:
  mlir::Value binary(llvm::StringRef name, mlir::Value x, mlir::Value y,
                     mlir::Type elementType);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// The shape and element type of a ranked tensor value.
mlir::RankedTensorType tensorType(mlir::Value value);

} // namespace ipuc::autodiff

#endif // IPUC_COMPILER_AUTODIFF_TOSABUILD_H
