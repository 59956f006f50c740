//===- LegalizeHostPlan.cpp - Prepare linalg for host-plan emission ------===//

#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/Utils.h"
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

    // Elementwise fusion composes linalg.index with indexing maps through
    // affine.apply; the plan's scalar instruction set has arith, not affine.
    SmallVector<affine::AffineApplyOp> applies;
    module.walk([&](affine::AffineApplyOp op) { applies.push_back(op); });
    for (affine::AffineApplyOp apply : applies) {
      OpBuilder builder(apply);
      std::optional<SmallVector<Value, 8>> expanded = affine::expandAffineMap(
          builder, apply.getLoc(), apply.getAffineMap(),
          llvm::to_vector<4>(apply.getMapOperands()));
      if (!expanded) {
        apply.emitError("cannot expand 'affine.apply' into arith ops");
        return signalPassFailure();
      }
      apply.replaceAllUsesWith((*expanded)[0]);
      apply.erase();
    }

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
