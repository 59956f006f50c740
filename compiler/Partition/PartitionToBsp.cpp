//===- PartitionToBsp.cpp - linalg-on-tensors -> bsp.program -------------===//
//
// The pass: resolves the device and runs the Partitioner (Partitioner.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"
#include "compiler/Partition/Passes.h"

namespace ipuc {
#define GEN_PASS_DEF_PARTITIONTOBSP
#include "compiler/Partition/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;

namespace {
struct PartitionToBspPass
    : public ipuc::impl::PartitionToBspBase<PartitionToBspPass> {
  using PartitionToBspBase::PartitionToBspBase;
  void runOnOperation() override {
    DeviceDescription desc;
    std::string error;
    if (!resolveDevice(device, desc, error) ||
        !applyTileCount(tiles, desc, error)) {
      getOperation().emitError() << error;
      return signalPassFailure();
    }
    Partitioner partitioner(getOperation(), desc, grain);
    partitioner.planMappings = planMappings;
    if (failed(partitioner.run()))
      signalPassFailure();
  }
};
} // namespace
