//===- BodyCompiler.h - linalg body -> plan Instr program -------*- C++ -*-===//
//
// Compiles the scalar region of a linalg structured op (or of a bsp vertex)
// into the register
// program of a plan Generic kernel. Registers [0, numOperands) are the block
// arguments (inputs then outputs); every op result gets the next register.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_BODYCOMPILER_H
#define IPUC_COMPILER_PLAN_BODYCOMPILER_H

#include "ipuc/plan/plan_generated.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace ipuc {

struct CompiledBody {
  std::vector<plan::Instr> program;
  uint32_t numRegisters = 0;
  /// Tensors defined outside the op that the body reads with tensor.extract,
  /// in the order of Extract's `a` operand.
  llvm::SmallVector<mlir::Value> captured;
};

/// The 1:1 opcode of a scalar arith/math op, if it has one. Ops needing
/// special encodings (constants, comparisons with predicates, linalg.index,
/// tensor.extract, index casts) are handled by the compiler itself.
std::optional<plan::Opcode> getSimpleOpcode(mlir::Operation *op);

/// Compiles `body`, the scalar region of `owner` (a linalg structured op or a
/// bsp.generic_vertex); iteration indices are linalg.index or bsp.index.
/// Errors are reported at the offending body op.
mlir::LogicalResult compileBody(mlir::Block &body, mlir::Operation *owner,
                                CompiledBody &out);

/// Compiles the body of a linalg structured op.
mlir::LogicalResult compileBody(mlir::linalg::LinalgOp op, CompiledBody &out);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_BODYCOMPILER_H
