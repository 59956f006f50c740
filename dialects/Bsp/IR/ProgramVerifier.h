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

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

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

/// verifyConcurrently up to its final checks: verifies every op nested in
/// `root`'s body (on the context's threads) and appends to `finalChecks` the
/// ops whose own checks are left, each to be run as verify(op,
/// /*verifyRecursively=*/false) in this order: the programs, then `root`
/// (unless it is a program). What is left only reads the IR, so a caller
/// that needs all ops verified, but not these checks, can run them beside
/// its own work (BackgroundChecks).
mlir::LogicalResult
verifyOpsConcurrently(mlir::Operation *root,
                      std::vector<mlir::Operation *> &finalChecks);

/// Runs the final checks of verifyOpsConcurrently on a thread of the
/// context's pool while the caller goes on, holding back every diagnostic
/// emitted meanwhile (on any thread) until wait(). The checks report what
/// verifyConcurrently's do: on threads each runs (after the last, even when
/// that one failed); with threading disabled they run in the constructor,
/// on the caller's thread, up to the first that fails, and nothing is held
/// back. The caller must not change the IR until wait()
/// has returned.
///
/// ipuc serializes and writes the tile plan beside them: on two cores they
/// took a second of the 12-layer encoder's compile, on both, between
/// verification and serialization.
class BackgroundChecks {
public:
  BackgroundChecks(mlir::MLIRContext *context,
                   std::vector<mlir::Operation *> checks);
  /// Waits for the checks (see wait()).
  ~BackgroundChecks();

  /// Waits for the checks and stops holding diagnostics back. When a check
  /// failed, emits the checks' diagnostics, drops those of other threads (a
  /// consequence of the invalid program, which a caller verifying first
  /// would never have met) and returns failure; otherwise emits the held
  /// diagnostics in order. Later calls return the same result.
  mlir::LogicalResult wait();

private:
  mlir::MLIRContext *context;
  std::vector<mlir::Operation *> checks;
  std::shared_future<bool> job;
  bool done = false, ok = false;
  std::mutex mutex;
  std::thread::id checker;
  /// Diagnostics held back, in order, each with whether a check emitted it.
  std::vector<std::pair<bool, mlir::Diagnostic>> held;
  std::optional<mlir::ScopedDiagnosticHandler> handler;
};

} // namespace ipuc::bsp

#endif // IPUC_DIALECTS_BSP_IR_PROGRAMVERIFIER_H
