//===- OptimizerOps.h - optimizer dialect ops -------------------*- C++ -*-===//
#ifndef IPUC_DIALECTS_OPTIMIZER_IR_OPTIMIZEROPS_H
#define IPUC_DIALECTS_OPTIMIZER_IR_OPTIMIZEROPS_H

#include "dialects/Optimizer/IR/OptimizerDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Optimizer/IR/OptimizerOps.h.inc"

#endif // IPUC_DIALECTS_OPTIMIZER_IR_OPTIMIZEROPS_H
