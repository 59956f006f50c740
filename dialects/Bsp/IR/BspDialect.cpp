//===- BspDialect.cpp - The bsp dialect ----------------------------------===//

#include "dialects/Bsp/IR/BspDialect.h"
#include "dialects/Bsp/IR/BspOps.h"

using namespace mlir;
using namespace ipuc::bsp;

#include "dialects/Bsp/IR/BspDialect.cpp.inc"

void BspDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Bsp/IR/BspOps.cpp.inc"
      >();
  registerAttributes();
  registerTypes();
}
