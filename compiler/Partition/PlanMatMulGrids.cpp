//===- PlanMatMulGrids.cpp - Attach the planner's grids to linalg ops ----===//
//
// The grid decisions of ipuc-partition-to-bsp as their own pass. The cost of
// a grid depends on the tile mapping of the op's operands (what the most
// loaded tile has to send), which is fixed only as the partitioner walks the
// function, producer by producer. Rather than model that walk a second time
// (and drift from it), the pass partitions a clone of the module and writes
// each grid the partitioner reports onto the matching op of the original.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"
#include "compiler/Partition/Passes.h"

#include <cmath>

namespace ipuc {
#define GEN_PASS_DEF_PLANMATMULGRIDS
#include "compiler/Partition/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;

namespace {
struct PlanMatMulGridsPass
    : public ipuc::impl::PlanMatMulGridsBase<PlanMatMulGridsPass> {
  using PlanMatMulGridsBase::PlanMatMulGridsBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    DeviceDescription desc;
    std::string error;
    if (!resolveDevice(device, desc, error) ||
        !applyTileCount(tiles, desc, error)) {
      module.emitError() << error;
      return signalPassFailure();
    }
    // The clone has the same ops in the same order: pair them by walk order.
    OwningOpRef<ModuleOp> copy = module.clone();
    SmallVector<Operation *> originals, clones;
    module.walk([&](Operation *op) { originals.push_back(op); });
    copy->walk([&](Operation *op) { clones.push_back(op); });
    llvm::DenseMap<Operation *, Operation *> originalOf;
    for (auto [clone, original] : llvm::zip_equal(clones, originals))
      originalOf[clone] = original;

    Partitioner partitioner(*copy, desc, grain);
    MLIRContext *ctx = &getContext();
    partitioner.onGrid = [&](Operation *op, const MatMulGrid &g) {
      originalOf.lookup(op)->setAttr(
          "ipuc.grid",
          bsp::GridAttr::get(ctx, g.pb, g.pm, g.pn, g.pk, g.sk,
                             std::llround(g.cycles), g.bytesPerTile));
    };
    // Errors (an unsupported op, a grid that cannot be honoured) are the
    // ones ipuc-partition-to-bsp would report, located on the same ops.
    if (failed(partitioner.run()))
      signalPassFailure();
  }
};
} // namespace
