//===- LegalizeHostPlan.cpp - Prepare linalg for host-plan emission ------===//

#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ipuc {
#define GEN_PASS_DEF_LEGALIZEHOSTPLAN
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

namespace {
struct LegalizeHostPlanPass
    : public ipuc::impl::LegalizeHostPlanBase<LegalizeHostPlanPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Folding turns tensor.from_elements / tensor.splat of constants (and any
    // other foldable op) into dense constants the emitter can embed.
    RewritePatternSet noPatterns(&getContext());
    if (failed(applyPatternsAndFoldGreedily(module, std::move(noPatterns))))
      return signalPassFailure();

    bool failedAny = false;
    module.walk([&](func::FuncOp func) {
      for (Operation &op : func.getBody().getOps())
        if (failed(ipuc::checkHostPlanSupport(&op)))
          failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
