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

#include "compiler/Partition/Passes.h"
#include "compiler/Partition/PlanOnClone.h"

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
    auto configure =
        [&](Partitioner &partitioner,
            llvm::function_ref<Operation *(Operation *)> originalOf) {
          // By value: the callback outlives this lambda's frame.
          MLIRContext *ctx = &getContext();
          partitioner.onGrid = [originalOf, ctx](Operation *op,
                                                 const MatMulGrid &g) {
            originalOf(op)->setAttr(
                "ipuc.grid",
                bsp::GridAttr::get(ctx, g.pb, g.pm, g.pn, g.pk, g.sk,
                                   std::llround(g.cycles), g.bytesPerTile));
          };
        };
    if (failed(partitionClone(getOperation(), device, tiles, grain, configure)))
      signalPassFailure();
  }
};
} // namespace
