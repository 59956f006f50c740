//===- BspOps.h - bsp dialect ops -------------------------------*- C++ -*-===//
#ifndef IPUC_DIALECTS_BSP_IR_BSPOPS_H
#define IPUC_DIALECTS_BSP_IR_BSPOPS_H

#include "dialects/Bsp/IR/BspAttrs.h"
#include "dialects/Bsp/IR/BspDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Bsp/IR/BspOps.h.inc"

#endif // IPUC_DIALECTS_BSP_IR_BSPOPS_H
