//===- ProgramVerifier.cpp - bsp.program verification on threads ---------===//

#include "dialects/Bsp/IR/ProgramVerifier.h"
#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/IR/Threading.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/ThreadPool.h"

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

/// Whether `op`'s verifier reads only the op itself (its name, attributes,
/// properties, operand and result types): the arith and math ops a generic
/// vertex body is made of. Equal ops of this kind verify alike.
static bool hasLocalVerifier(Operation &op) {
  StringRef dialect = op.getName().getDialectNamespace();
  return dialect == "arith" || dialect == "math";
}

/// Whether the body of `b` is the body of `a` op for op: the same argument
/// types, and ops with local verifiers (the terminator aside) of the same
/// name, attributes, properties and result types on operands that are the
/// same arguments or results of the same earlier ops. The partitioner gives
/// every vertex of an op a copy of one body, and a vertex of an encoder
/// layer has ~7 body ops, each of which cost ~2 000 instructions to verify.
static bool sameBody(ipuc::bsp::GenericVertexOp a,
                     ipuc::bsp::GenericVertexOp b) {
  Region &ra = a.getBody(), &rb = b.getBody();
  if (!ra.hasOneBlock() || !rb.hasOneBlock())
    return false;
  Block &ba = ra.front(), &bb = rb.front();
  if (ba.getNumArguments() != bb.getNumArguments() ||
      ba.getOperations().size() != bb.getOperations().size() || ba.empty())
    return false;
  for (auto [x, y] : llvm::zip(ba.getArguments(), bb.getArguments()))
    if (x.getType() != y.getType())
      return false;
  // An operand of the body is the same in both when it is the same
  // argument, or the same result of the ops at the same position.
  llvm::SmallDenseMap<Operation *, Operation *, 16> peer;
  auto sameValue = [&](Value x, Value y) {
    if (!x || !y)
      return false;
    if (auto ax = dyn_cast<BlockArgument>(x)) {
      auto ay = dyn_cast<BlockArgument>(y);
      return ay && ax.getOwner() == &ba && ay.getOwner() == &bb &&
             ax.getArgNumber() == ay.getArgNumber();
    }
    auto rx = cast<OpResult>(x);
    auto ry = dyn_cast<OpResult>(y);
    if (!ry || rx.getResultNumber() != ry.getResultNumber())
      return false;
    auto it = peer.find(rx.getOwner());
    return it != peer.end() && it->second == ry.getOwner();
  };
  for (auto [x, y] : llvm::zip(ba, bb)) {
    bool terminator = &x == &ba.back();
    if ((!terminator && !hasLocalVerifier(x)) || x.getName() != y.getName() ||
        x.getNumRegions() || y.getNumRegions() || x.getNumSuccessors() ||
        y.getNumSuccessors() ||
        x.getRawDictionaryAttrs() != y.getRawDictionaryAttrs() ||
        !x.getName().compareOpProperties(x.getPropertiesStorage(),
                                         y.getPropertiesStorage()) ||
        x.getResultTypes() != y.getResultTypes() ||
        x.getNumOperands() != y.getNumOperands())
      return false;
    for (auto [u, v] : llvm::zip(x.getOperands(), y.getOperands()))
      if (!sameValue(u, v))
        return false;
    peer[&x] = &y;
  }
  return true;
}

/// verify(cs) with what a body verified once already showed left out: a
/// generic vertex whose body is the last fully verified one's (sameBody)
/// verifies itself, its terminator and the dominance of its body's operands,
/// but not the body's ops again. Otherwise as verify(cs): the compute set's
/// own checks (here before, not after, its vertices') and the branch rule of
/// its block.
static LogicalResult verifyComputeSet(ipuc::bsp::ComputeSetOp cs) {
  if (failed(verify(cs, /*verifyRecursively=*/false)))
    return failure();
  Block &body = cs.getBody().front();
  if (failed(verifyBlockBranches(body)))
    return failure();
  ipuc::bsp::GenericVertexOp verified;
  for (Operation &op : body) {
    auto vertex = dyn_cast<ipuc::bsp::GenericVertexOp>(op);
    if (vertex && verified && sameBody(verified, vertex)) {
      if (failed(verify(vertex, /*verifyRecursively=*/false)) ||
          failed(verify(&vertex.getBody().front().back(),
                        /*verifyRecursively=*/false)))
        return failure();
      continue;
    }
    if (failed(verify(&op, /*verifyRecursively=*/true)))
      return failure();
    if (vertex)
      verified = vertex;
  }
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
    if (auto cs = dyn_cast<ipuc::bsp::ComputeSetOp>(op))
      return verifyComputeSet(cs);
    return verify(op, /*verifyRecursively=*/true);
  });
}

LogicalResult
ipuc::bsp::verifyOpsConcurrently(Operation *root,
                                 std::vector<Operation *> &finalChecks) {
  if (auto program = dyn_cast<ProgramOp>(root)) {
    if (failed(verifyProgramBody(program)))
      return failure();
    finalChecks.push_back(program);
    return success();
  }
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
  return success();
}

LogicalResult ipuc::bsp::verifyConcurrently(Operation *root) {
  std::vector<Operation *> finalChecks;
  if (failed(verifyOpsConcurrently(root, finalChecks)))
    return failure();
  // A lone program's final check stops at its first error, as before.
  if (isa<ProgramOp>(root))
    return verify(root, /*verifyRecursively=*/false);
  // The checks of each program and of the root that come after their ops.
  // Each walks all ops of the programs on one thread (the programs'
  // IsolatedFromAbove check, the root's symbol table uses), a second each on
  // a 12-layer encoder, and they only read: they run side by side,
  // diagnostics in this order.
  return failableParallelForEach(root->getContext(), finalChecks,
                                 [](Operation *op) {
                                   return verify(op,
                                                 /*verifyRecursively=*/false);
                                 });
}

//===----------------------------------------------------------------------===//
// BackgroundChecks
//===----------------------------------------------------------------------===//

/// `checks` in order. On threads, verifyConcurrently starts them all side
/// by side, so each reports its errors; one after the other, it stops at
/// the first that fails. The same here, with `onThreads` or not.
static LogicalResult runChecks(ArrayRef<Operation *> checks, bool onThreads) {
  bool ok = true;
  for (Operation *op : checks) {
    ok &= succeeded(verify(op, /*verifyRecursively=*/false));
    if (!ok && !onThreads)
      break;
  }
  return success(ok);
}

ipuc::bsp::BackgroundChecks::BackgroundChecks(MLIRContext *context,
                                              std::vector<Operation *> list)
    : context(context), checks(std::move(list)) {
  if (!context->isMultithreadingEnabled()) {
    ok = succeeded(runChecks(checks, /*onThreads=*/false));
    done = true;
    return;
  }
  // Registered before the job starts, so none of its diagnostics escape.
  handler.emplace(context, [this](Diagnostic &diag) {
    std::lock_guard<std::mutex> lock(mutex);
    held.push_back({std::this_thread::get_id() == checker, std::move(diag)});
    return success();
  });
  // The job names its thread before it checks anything and unnames it when
  // done (the pool thread may run other work next), so a diagnostic is the
  // checks' exactly when it comes from that thread meanwhile.
  job = context->getThreadPool().async([this] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      checker = std::this_thread::get_id();
    }
    bool result = succeeded(runChecks(checks, /*onThreads=*/true));
    std::lock_guard<std::mutex> lock(mutex);
    checker = std::thread::id();
    return result;
  });
}

ipuc::bsp::BackgroundChecks::~BackgroundChecks() { (void)wait(); }

LogicalResult ipuc::bsp::BackgroundChecks::wait() {
  if (!done) {
    ok = job.get();
    done = true;
    handler.reset();
    // A failed check's diagnostics are the answer; what the caller met
    // meanwhile followed from the broken program, which a serial caller
    // would never have gone on with.
    for (auto &[fromChecks, diag] : held)
      if (ok || fromChecks)
        context->getDiagEngine().emit(std::move(diag));
    held.clear();
  }
  return success(ok);
}
