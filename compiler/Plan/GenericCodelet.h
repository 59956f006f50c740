//===- GenericCodelet.h - Generic codelets, before the builder -*- C++ -*-===//
//
// What a bsp.generic_vertex's Generic codelet is made of (its compiled body,
// loop nest and operand strides folded with its boxes), worked out from the
// IR alone. The serializer shares one codelet table among the vertices whose
// content is equal, so for most vertices this content is all the work; it
// needs no FlatBufferBuilder, so it is prepared on another thread while the
// serializer writes the plan (GenericCodeletPrefetcher), which leaves the
// bytes of the plan as they are.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_GENERICCODELET_H
#define IPUC_COMPILER_PLAN_GENERICCODELET_H

#include "compiler/Plan/BodyCompiler.h"
#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <condition_variable>
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ipuc {

struct GenericCodelet {
  struct FoldedOperand {
    int64_t offset;
    llvm::SmallVector<int64_t> strides;
  };
  /// The codelet's content, under which equal codelets are shared, and its
  /// hash (computed with the content, off the serializing thread).
  std::string key;
  size_t hash = 0;
  double flops = 0;
  /// Element inputs; codelet operands are they, the outputs, then the
  /// gathered inputs.
  unsigned numInputs = 0;
  std::vector<int64_t> loopBounds;
  std::vector<uint8_t> reductionDims;
  llvm::SmallVector<FoldedOperand> folded;
  std::vector<int32_t> inits;
  std::vector<uint32_t> captured;
  CompiledBody body;
};

/// What the codelets of consecutive vertices share, kept from one to the
/// next by whoever prepares them in order: the vertices of one op have equal
/// bodies (compiling each took 45 % of a codelet) and fold the same
/// indexing maps over a few box sizes (another 28 %). A body equal to the
/// last one compiled, or a map and sizes folded before, give what compiling
/// or folding again would, so the codelets do not depend on it.
struct GenericCodeletCache {
  /// The vertex whose body `body` was compiled from, null before the first.
  mlir::Operation *bodyOwner = nullptr;
  CompiledBody body;
  struct Fold {
    int64_t offset;
    llvm::SmallVector<int64_t> strides;
  };
  /// Successful folds by indexing map and box sizes (which point into the
  /// box attributes, uniqued for the context's life).
  llvm::DenseMap<std::pair<mlir::AffineMap, llvm::ArrayRef<int64_t>>, Fold>
      folds;
};

/// Prepares `op`'s codelet; errors are reported at the offending op. With a
/// cache, what it holds is reused and what is worked out is kept.
mlir::LogicalResult prepareGenericCodelet(bsp::GenericVertexOp op,
                                          GenericCodelet &out,
                                          GenericCodeletCache *cache = nullptr);

/// Prepares the codelets of `vertices`, in their order, on one thread of the
/// context's pool, at most a bounded number ahead of the caller, who takes
/// them in the same order. A vertex whose preparation failed there is
/// prepared again on the caller's thread, so its diagnostics are the ones a
/// serial serializer reports, in the same order (the worker's own are
/// dropped). Without threading, take() prepares on the caller's thread.
class GenericCodeletPrefetcher {
public:
  GenericCodeletPrefetcher(mlir::MLIRContext *context,
                           std::vector<bsp::GenericVertexOp> vertices);
  ~GenericCodeletPrefetcher();

  /// The codelet of `op`, which is expected to be the next vertex of the
  /// list; any other vertex is prepared on the spot.
  mlir::LogicalResult take(bsp::GenericVertexOp op, GenericCodelet &out);

private:
  void work();

  std::vector<bsp::GenericVertexOp> vertices;
  /// The worker's, across the vertices it prepares.
  GenericCodeletCache cache;
  struct Slot {
    GenericCodelet codelet;
    bool ok = false;
  };
  /// Prepared codelets not yet taken, vertices[i] in slots[i % size].
  std::vector<Slot> slots;
  std::mutex mutex;
  std::condition_variable changed;
  size_t produced = 0, consumed = 0;
  /// Whether a side waits, and (the caller) for which `produced`: the other
  /// side wakes it only once there is a batch.
  bool producerWaiting = false, consumerWaiting = false;
  size_t consumerTarget = 0;
  bool stop = false;
  std::shared_future<void> worker;
  std::optional<mlir::ScopedDiagnosticHandler> quietWorker;
};

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_GENERICCODELET_H
