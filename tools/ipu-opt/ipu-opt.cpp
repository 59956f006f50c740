//===- ipu-opt.cpp - mlir-opt with ipuc's dialects and passes ------------===//
//
// Registers only what ipuc uses (DESIGN.md section 6): the upstream dialects
// the pipeline works on, the upstream passes it runs, and ipuc's own passes
// and pipelines, so every pass can be run alone in lit tests.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Passes.h"
#include "compiler/Partition/Passes.h"
#include "compiler/Pipelines/HostPipeline.h"
#include "compiler/Plan/BspToPlan.h"
#include "compiler/Plan/Passes.h"
#include "dialects/Bsp/IR/BspDialect.h"
#include "dialects/Optimizer/IR/OptimizerDialect.h"
#include "dialects/Optimizer/Transforms/Passes.h"

#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

namespace {
/// The upstream passes of the ipuc pipelines, each runnable alone. The
/// registration hooks come from the upstream Passes.h.inc files.
void registerUpstreamPasses() {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerLinalgElementwiseOpFusionPass();
  mlir::tosa::registerTosaOptionalDecompositions();
  mlir::tosa::registerTosaMakeBroadcastable();
  mlir::tosa::registerTosaLayerwiseConstantFoldPass();
  mlir::tosa::registerTosaInferShapes();
  mlir::PassRegistration<mlir::Pass>(
      [] { return mlir::tosa::createTosaToLinalg(); });
  mlir::PassRegistration<mlir::Pass>(
      [] { return mlir::tosa::createTosaToLinalgNamed(); });
  mlir::PassRegistration<mlir::Pass>(
      [] { return mlir::tosa::createTosaToArith(); });
  mlir::PassRegistration<mlir::Pass>(
      [] { return mlir::tosa::createTosaToTensor(); });
}
} // namespace

int main(int argc, char **argv) {
  registerUpstreamPasses();
  ipuc::registerIpucPlanPasses();
  ipuc::registerIpucPartitionPasses();
  ipuc::registerHostPipeline();
  ipuc::registerPrintBspPlanPass();
  ipuc::registerIpucOptimizerPasses();
  ipuc::registerIpucAutodiffPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::affine::AffineDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect, mlir::tosa::TosaDialect, ipuc::bsp::BspDialect,
                  ipuc::optimizer::OptimizerDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ipuc optimizer driver\n", registry));
}
