//===- PrintBspPlan.cpp - Test pass printing a serialized bsp program ----===//
//
// --ipuc-print-bsp-plan serializes every bsp.program of the module, loads the
// bytes back through the runtime's verifying loader, and prints the plan with
// the runtime's printer, so tests see exactly what the simulator will load.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/BspToPlan.h"

#include "ipuc/plan/Plan.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace plan = ipuc::plan;

namespace {
struct PrintBspPlanPass
    : public PassWrapper<PrintBspPlanPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PrintBspPlanPass)

  PrintBspPlanPass() = default;
  PrintBspPlanPass(const PrintBspPlanPass &other) : PassWrapper(other) {}

  StringRef getArgument() const override { return "ipuc-print-bsp-plan"; }
  StringRef getDescription() const override {
    return "Test pass: serialize each bsp.program into a plan and print it";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    // Generic vertex bodies are compiled through a detached linalg.generic.
    registry.insert<linalg::LinalgDialect>();
  }

  void runOnOperation() override {
    for (auto program : getOperation().getOps<ipuc::bsp::ProgramOp>()) {
      ipuc::PlanOptions options;
      options.source = source;
      // A fixed producer keeps test output independent of the version.
      options.producer = "ipuc";
      std::vector<uint8_t> bytes;
      if (failed(ipuc::serializeBspProgram(program, options, bytes)))
        return signalPassFailure();
      plan::LoadedPlan loaded;
      std::string error;
      if (!plan::loadPlanBuffer(std::move(bytes), loaded, error)) {
        program.emitError() << "the serialized plan is invalid: " << error;
        return signalPassFailure();
      }
      llvm::outs() << plan::printPlan(loaded.plan());
    }
    llvm::outs().flush();
    markAllAnalysesPreserved();
  }

  Option<std::string> source{*this, "source",
                             llvm::cl::desc("Source path recorded in the plan"),
                             llvm::cl::init("")};
};
} // namespace

void ipuc::registerPrintBspPlanPass() { PassRegistration<PrintBspPlanPass>(); }
