//===- Passes.h - optimizer dialect passes ----------------------*- C++ -*-===//
#ifndef IPUC_DIALECTS_OPTIMIZER_TRANSFORMS_PASSES_H
#define IPUC_DIALECTS_OPTIMIZER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace ipuc {

#define GEN_PASS_DECL
#include "dialects/Optimizer/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Optimizer/Transforms/Passes.h.inc"

} // namespace ipuc

#endif // IPUC_DIALECTS_OPTIMIZER_TRANSFORMS_PASSES_H
