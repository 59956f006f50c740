//===- Passes.h - Host-plan emission passes ---------------------*- C++ -*-===//
#ifndef IPUC_COMPILER_PLAN_PASSES_H
#define IPUC_COMPILER_PLAN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>
#include <string>

namespace ipuc {

#define GEN_PASS_DECL
#include "compiler/Plan/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Plan/Passes.h.inc"

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_PASSES_H
