//===- HostPipeline.cpp - tosa -> fused linalg -> host plan --------------===//

#include "compiler/Pipelines/HostPipeline.h"
#include "compiler/Plan/Passes.h"
#include "dialects/Optimizer/Transforms/Passes.h"

#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void ipuc::buildHostPipeline(OpPassManager &pm, bool forHostTarget) {
  // Optimizer update rules become elementwise linalg that the fusion below
  // treats like any other (a no-op without optimizer ops).
  pm.addPass(createLowerOptimizer());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  // Graph level: decompose the tosa ops linalg has no direct lowering for
  // well (e.g. fully_connected, transpose_conv2d) and make elementwise
  // operands rank-equal, as tosa-to-linalg expects.
  funcPm.addPass(tosa::createTosaOptionalDecompositions());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(tosa::createTosaMakeBroadcastablePass());
  // On rank-equal operands: the transposes autodiff puts around the
  // backward ReLUs cancel before they become kernels.
  if (forHostTarget)
    funcPm.addPass(createSinkHostTransposes());
  funcPm.addPass(tosa::createTosaToLinalgNamed());
  funcPm.addPass(createCanonicalizerPass());
  // Folds transposes of constant weights before they become linalg.
  funcPm.addPass(tosa::createTosaLayerwiseConstantFoldPass());
  funcPm.addPass(tosa::createTosaToLinalg());
  funcPm.addPass(tosa::createTosaToArith());
  funcPm.addPass(tosa::createTosaToTensor());
  funcPm.addPass(createCanonicalizerPass());
  // Before fusion, so that generalized transposes can fuse.
  if (forHostTarget)
    funcPm.addPass(createFoldHostTransposes());
  // One host kernel per fused op: fuse elementwise producers into consumers.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // After fusion, which would fuse into (and so unmark) the rewritten
  // generics (and builds the max-pool gradient's generic in the first
  // place); the CSE merges the conv's input pad with the forward conv's.
  if (forHostTarget) {
    pm.addNestedPass<func::FuncOp>(createHostConvBackwardFilter());
    pm.addNestedPass<func::FuncOp>(createHostMaxPoolBackward());
    pm.addNestedPass<func::FuncOp>(createHostConvBackwardData());
    pm.addPass(createCSEPass());
  }
  pm.addPass(createLegalizeHostPlan());
}

void ipuc::registerHostPipeline() {
  PassPipelineRegistration<>(
      "ipuc-host-pipeline",
      "Lower func+tosa to fused linalg-on-tensors ready for host-plan "
      "emission",
      [](OpPassManager &pm) { buildHostPipeline(pm); });
  PassPipelineRegistration<>(
      "ipuc-host-target-pipeline",
      "ipuc-host-pipeline with the host target's transpose folding",
      [](OpPassManager &pm) { buildHostPipeline(pm, /*forHostTarget=*/true); });
}
