//===- OptimizerDialect.h - The optimizer dialect ---------------*- C++ -*-===//
#ifndef IPUC_DIALECTS_OPTIMIZER_IR_OPTIMIZERDIALECT_H
#define IPUC_DIALECTS_OPTIMIZER_IR_OPTIMIZERDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Optimizer/IR/OptimizerDialect.h.inc"

#endif // IPUC_DIALECTS_OPTIMIZER_IR_OPTIMIZERDIALECT_H
