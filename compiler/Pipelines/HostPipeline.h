//===- HostPipeline.h - tosa -> fused linalg -> host plan -------*- C++ -*-===//
#ifndef IPUC_COMPILER_PIPELINES_HOSTPIPELINE_H
#define IPUC_COMPILER_PIPELINES_HOSTPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace ipuc {

/// tosa (+ arith/tensor) -> linalg-on-tensors with fused elementwise ops,
/// legalized for host-plan emission. Registered as `ipuc-host-pipeline`.
/// With `forHostTarget`, transposes are folded into matmuls or generalized
/// for fusion (ipuc-fold-host-transposes) first; the ipu target's partitioner
/// takes the plain linalg ops instead.
void buildHostPipeline(mlir::OpPassManager &pm, bool forHostTarget = false);

/// Registers `ipuc-host-pipeline` (as used for --target=ipu) and
/// `ipuc-host-target-pipeline` (--target=host) for ipu-opt.
void registerHostPipeline();

} // namespace ipuc

#endif // IPUC_COMPILER_PIPELINES_HOSTPIPELINE_H
