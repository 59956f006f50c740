//===- ProgramVerifier.h - bsp.program verification on threads --*- C++ -*-===//
//
// mlir::verify verifies the ops nested in a bsp.program one after the other:
// only IsolatedFromAbove ops are verified in parallel, and the steps and
// vertices of a program read the program's tensors. On a 12-layer encoder
// (a million vertices) that is a quarter of the compile, on one core.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECTS_BSP_IR_PROGRAMVERIFIER_H
#define IPUC_DIALECTS_BSP_IR_PROGRAMVERIFIER_H

#include "mlir/IR/Operation.h"

namespace ipuc::bsp {

/// Verifies `root` and everything nested in it, as mlir::verify(root) does,
/// but verifies the top-level ops of each bsp.program body (its tensors and
/// steps, each with everything nested in it) on the context's threads. Each
/// program's own invariants, region invariants (unique names, tile memory)
/// and the dominance of its body are checked after its ops, and `root`'s
/// after all ops of its body; these final checks run side by side on the
/// threads. Diagnostics are emitted in program order (a program's final
/// check before the root's); with threading disabled everything is verified
/// in that order on the calling thread, stopping at the first error. Meant for a root whose blocks have no arguments and
/// need no terminator (a module): of its blocks, as of each program body's,
/// only the branch rule is checked besides their ops.
mlir::LogicalResult verifyConcurrently(mlir::Operation *root);

} // namespace ipuc::bsp

#endif // IPUC_DIALECTS_BSP_IR_PROGRAMVERIFIER_H
