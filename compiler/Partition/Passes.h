//===- Passes.h - Partitioning passes (linalg -> bsp) -----------*- C++ -*-===//
#ifndef IPUC_COMPILER_PARTITION_PASSES_H
#define IPUC_COMPILER_PARTITION_PASSES_H

#include "dialects/Bsp/IR/BspDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>
#include <string>

namespace ipuc {

#define GEN_PASS_DECL
#include "compiler/Partition/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Partition/Passes.h.inc"

} // namespace ipuc

#endif // IPUC_COMPILER_PARTITION_PASSES_H
