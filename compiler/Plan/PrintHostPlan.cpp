//===- PrintHostPlan.cpp - Test pass printing the emitted host plan ------===//

#include "compiler/Plan/EmitHostPlan.h"
#include "compiler/Plan/Passes.h"

#include "ipuc/plan/Plan.h"

#include "llvm/Support/raw_ostream.h"

namespace ipuc {
#define GEN_PASS_DEF_PRINTHOSTPLAN
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

namespace {
struct PrintHostPlanPass
    : public ipuc::impl::PrintHostPlanBase<PrintHostPlanPass> {
  using Base::Base;

  void runOnOperation() override {
    ipuc::PlanOptions options;
    options.source = source;
    // A fixed producer keeps test output independent of the version.
    options.producer = "ipuc";
    std::vector<uint8_t> bytes;
    if (failed(ipuc::emitHostPlan(getOperation(), options, bytes)))
      return signalPassFailure();
    ipuc::plan::LoadedPlan loaded;
    std::string error;
    if (!ipuc::plan::loadPlanBuffer(std::move(bytes), loaded, error)) {
      getOperation().emitError() << "the emitted plan is invalid: " << error;
      return signalPassFailure();
    }
    llvm::outs() << ipuc::plan::printPlan(loaded.plan());
    llvm::outs().flush();
    markAllAnalysesPreserved();
  }
};
} // namespace
