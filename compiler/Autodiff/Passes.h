//===- Passes.h - Autodiff passes -------------------------------*- C++ -*-===//
#ifndef IPUC_COMPILER_AUTODIFF_PASSES_H
#define IPUC_COMPILER_AUTODIFF_PASSES_H

#include "dialects/Optimizer/IR/OptimizerDialect.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ipuc {

#define GEN_PASS_DECL
#include "compiler/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Autodiff/Passes.h.inc"

} // namespace ipuc

#endif // IPUC_COMPILER_AUTODIFF_PASSES_H
