//===- PlanOnClone.h - Partition a clone to record decisions ----*- C++ -*-===//
//
// The planning passes (ipuc-plan-matmul-grids, ipuc-plan-tile-mapping) record
// decisions of ipuc-partition-to-bsp on linalg ops. Those decisions depend on
// where operands live, which is fixed only as the partitioner walks the
// function, so rather than model that walk a second time (and drift from it)
// both partition a clone of the module and write what the partitioner reports
// onto the matching op of the original.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_PLANONCLONE_H
#define IPUC_COMPILER_PARTITION_PLANONCLONE_H

#include "compiler/Partition/Partitioner.h"

namespace ipuc::partition {

/// Partitions a clone of `module` for the device `device` with `tiles` tiles
/// (0: the device's) and `grain`. `configure` installs the partitioner's
/// callbacks; `originalOf` maps an op of the clone to the op of `module` it
/// was cloned from, and stays valid while the partitioner runs. Errors (a bad
/// device, an unsupported op, a decision that cannot be honoured) are the
/// ones ipuc-partition-to-bsp would report, located on the same ops.
LogicalResult partitionClone(
    ModuleOp module, StringRef device, int64_t tiles, int64_t grain,
    llvm::function_ref<void(
        Partitioner &, llvm::function_ref<Operation *(Operation *)> originalOf)>
        configure);

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_PLANONCLONE_H
