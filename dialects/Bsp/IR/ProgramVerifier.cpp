//===- ProgramVerifier.cpp - bsp.program verification on threads ---------===//

#include "dialects/Bsp/IR/ProgramVerifier.h"
#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/IR/Threading.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

/// What mlir::verify checks of a block itself, beyond its ops, is left out
/// by verify(op, /*verifyRecursively=*/false); for the blocks verified here
/// (no arguments, no terminator needed: a module's and a program's) that is
/// that only the last op may branch.
static LogicalResult verifyBlockBranches(Block &block) {
  for (Operation &op : block)
    if (op.getNumSuccessors() != 0 && &op != &block.back())
      return op.emitError(
          "operation with block successors must terminate its parent block");
  return success();
}

/// The body's ops each verify themselves and what they contain, which reads
/// nothing that another op's verification writes, except the op order of the
/// program body: dominance of a nested use of a tensor compares positions in
/// the body, and a block whose order is stale renumbers its ops on first use.
/// It is renumbered here, before the threads start, so that they only read.
/// What is left of the program's verification is verify(program,
/// /*verifyRecursively=*/false): its own invariants, its region invariants
/// (which rely on its tensors having been verified) and the dominance of its
/// body's operands.
static LogicalResult verifyProgramBody(ipuc::bsp::ProgramOp program) {
  Block &body = program.getBody().front();
  body.recomputeOpOrder();
  if (failed(verifyBlockBranches(body)))
    return failure();
  std::vector<Operation *> ops;
  ops.reserve(body.getOperations().size());
  for (Operation &op : body)
    ops.push_back(&op);
  return failableParallelForEach(program.getContext(), ops, [](Operation *op) {
    return verify(op, /*verifyRecursively=*/true);
  });
}

LogicalResult ipuc::bsp::verifyConcurrently(Operation *root) {
  if (auto program = dyn_cast<ProgramOp>(root))
    return failure(failed(verifyProgramBody(program)) ||
                   failed(verify(program, /*verifyRecursively=*/false)));
  // The checks of each program and of the root that come after their ops.
  // Each walks all ops of the programs on one thread (the programs'
  // IsolatedFromAbove check, the root's symbol table uses), a second each on
  // a 12-layer encoder, and they only read: they run side by side,
  // diagnostics in this order.
  std::vector<Operation *> finalChecks;
  for (Region &region : root->getRegions())
    for (Block &block : region) {
      if (failed(verifyBlockBranches(block)))
        return failure();
      for (Operation &op : block) {
        auto program = dyn_cast<ProgramOp>(op);
        if (failed(program ? verifyProgramBody(program)
                           : verify(&op, /*verifyRecursively=*/true)))
          return failure();
        if (program)
          finalChecks.push_back(program);
      }
    }
  finalChecks.push_back(root);
  return failableParallelForEach(root->getContext(), finalChecks,
                                 [](Operation *op) {
                                   return verify(op,
                                                 /*verifyRecursively=*/false);
                                 });
}
