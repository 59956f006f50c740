//===- HostPlanSupport.h - What the host plan can express -------*- C++ -*-===//
//
// Shared by ipuc-legalize-host-plan (which reports unsupported IR early) and
// the emitter (which relies on it but still checks, to never crash).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_HOSTPLANSUPPORT_H
#define IPUC_COMPILER_PLAN_HOSTPLANSUPPORT_H

#include "ipuc/plan/plan_generated.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace ipuc {

/// Plan dtype of a scalar type (index is stored as i64); nullopt if the plan
/// has no such dtype.
std::optional<plan::DType> getPlanDType(mlir::Type type);

/// Row-major element strides of a static shape.
llvm::SmallVector<int64_t> getRowMajorStrides(llvm::ArrayRef<int64_t> shape);

/// Folds an indexing map with the row-major strides of the tensor it indexes:
/// strides[d] = sum_r coeff(r, d) * rowMajor[r], offset = sum_r const_r *
/// rowMajor[r]. Fails when a result is not a linear combination of dims plus
/// a constant (mod, floordiv, ceildiv, dim * dim, symbols).
mlir::LogicalResult foldIndexingMap(mlir::AffineMap map,
                                    llvm::ArrayRef<int64_t> tensorShape,
                                    llvm::SmallVectorImpl<int64_t> &strides,
                                    int64_t &offset);

/// The values of constant (static or constant-SSA) pad amounts, if all are.
std::optional<llvm::SmallVector<int64_t>>
getConstantPadding(llvm::ArrayRef<mlir::OpFoldResult> values);

/// Checks that a top-level op of the function body can become host-plan
/// kernels; reports an error at the op (or the offending body op) otherwise.
mlir::LogicalResult checkHostPlanSupport(mlir::Operation *op);

/// Whether the host MatMul / Conv kernels can run the linalg op `op`: its
/// inputs and result are floats of one element type. Others (integer or mixed
/// types, whose cast semantics those kernels do not have) run as Generic.
bool hasUniformFloatElements(mlir::Operation *op);

/// Whether `value` is all zeros: a zero linalg.fill, a generic without inputs
/// yielding a zero constant, or a zero constant tensor.
bool isZeroTensor(mlir::Value value);

/// Checks a linalg body op (inside the region of a structured op).
mlir::LogicalResult checkBodyOpSupport(mlir::Operation *op,
                                       mlir::Operation *structuredOp);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_HOSTPLANSUPPORT_H
