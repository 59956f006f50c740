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

#include "compiler/Partition/Passes.h"
#include "compiler/Partition/PlanOnClone.h"

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
    auto configure =
        [&](Partitioner &partitioner,
            llvm::function_ref<Operation *(Operation *)> originalOf) {
          partitioner.planMappings = true;
          // By value: the callback outlives this lambda's frame.
          partitioner.onMapping = [originalOf](Operation *op,
                                               Attribute choice) {
            originalOf(op)->setAttr("ipuc.mapping", choice);
          };
        };
    if (failed(partitionClone(getOperation(), device, tiles, grain, configure)))
      signalPassFailure();
  }
};
} // namespace
