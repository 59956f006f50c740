//===- BspDialect.h - The bsp dialect ---------------------------*- C++ -*-===//
#ifndef IPUC_DIALECTS_BSP_IR_BSPDIALECT_H
#define IPUC_DIALECTS_BSP_IR_BSPDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Bsp/IR/BspDialect.h.inc"

#endif // IPUC_DIALECTS_BSP_IR_BSPDIALECT_H
