//===- PlanTileMapping.cpp - Attach result tile mappings to linalg ops ---===//
//
// The result-mapping decisions of ipuc-partition-to-bsp as their own pass.
// Which mapping is cheapest depends on where the op's operands live, which is
// fixed only as the partitioner walks the function, producer by producer; as
// ipuc-plan-matmul-grids does for grids, the pass partitions a clone of the
// module with the cost model's choice switched on (MappingChoice.cpp) and
// writes each choice onto the matching op of the original, where
// ipuc-partition-to-bsp honours it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"
#include "compiler/Partition/Passes.h"

namespace ipuc {
#define GEN_PASS_DEF_PLANTILEMAPPING
#include "compiler/Partition/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;

namespace {
struct PlanTileMappingPass
    : public ipuc::impl::PlanTileMappingBase<PlanTileMappingPass> {
  using PlanTileMappingBase::PlanTileMappingBase;
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
    partitioner.planMappings = true;
    partitioner.onMapping = [&](Operation *op, Attribute choice) {
      originalOf.lookup(op)->setAttr("ipuc.mapping", choice);
    };
    // Errors (an unsupported op, a mapping that cannot be honoured) are the
    // ones ipuc-partition-to-bsp would report, located on the same ops.
    if (failed(partitioner.run()))
      signalPassFailure();
  }
};
} // namespace
