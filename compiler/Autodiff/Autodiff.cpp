//===- Autodiff.cpp - The ipuc-autodiff pass -----------------------------===//

#include "compiler/Autodiff/Differentiate.h"
#include "compiler/Autodiff/Passes.h"

namespace ipuc {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/Autodiff/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::autodiff;

namespace {
struct AutodiffPass : public ipuc::impl::AutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(differentiate(func)))
        return signalPassFailure();
  }
};
} // namespace
