//===- PlanOnClone.cpp - Partition a clone to record decisions -----------===//

#include "compiler/Partition/PlanOnClone.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;

LogicalResult ipuc::partition::partitionClone(
    ModuleOp module, StringRef device, int64_t tiles, int64_t grain,
    llvm::function_ref<void(Partitioner &,
                            llvm::function_ref<Operation *(Operation *)>)>
        configure) {
  DeviceDescription desc;
  std::string error;
  if (!resolveDevice(device, desc, error) ||
      !applyTileCount(tiles, desc, error))
    return module.emitError() << error;
  // The clone has the same ops in the same order: pair them by walk order.
  OwningOpRef<ModuleOp> copy = module.clone();
  SmallVector<Operation *> originals, clones;
  module.walk([&](Operation *op) { originals.push_back(op); });
  copy->walk([&](Operation *op) { clones.push_back(op); });
  llvm::DenseMap<Operation *, Operation *> originalOf;
  for (auto [clone, original] : llvm::zip_equal(clones, originals))
    originalOf[clone] = original;

  Partitioner partitioner(*copy, desc, grain);
  configure(partitioner,
            [&](Operation *clone) { return originalOf.lookup(clone); });
  return partitioner.run();
}
