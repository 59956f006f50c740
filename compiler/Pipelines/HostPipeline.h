//===- HostPipeline.h - tosa -> fused linalg -> host plan -------*- C++ -*-===//
#ifndef IPUC_COMPILER_PIPELINES_HOSTPIPELINE_H
#define IPUC_COMPILER_PIPELINES_HOSTPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace ipuc {

/// tosa (+ arith/tensor) -> linalg-on-tensors with fused elementwise ops,
/// legalized for host-plan emission. Registered as `ipuc-host-pipeline`.
void buildHostPipeline(mlir::OpPassManager &pm);

/// Registers `ipuc-host-pipeline` for ipu-opt and --pass-pipeline.
void registerHostPipeline();

} // namespace ipuc

#endif // IPUC_COMPILER_PIPELINES_HOSTPIPELINE_H
