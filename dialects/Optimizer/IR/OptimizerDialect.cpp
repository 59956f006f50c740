//===- OptimizerDialect.cpp - The optimizer dialect ----------------------===//

#include "dialects/Optimizer/IR/OptimizerDialect.h"
#include "dialects/Optimizer/IR/OptimizerOps.h"

using namespace mlir;
using namespace ipuc::optimizer;

#include "dialects/Optimizer/IR/OptimizerDialect.cpp.inc"

void OptimizerDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Optimizer/IR/OptimizerOps.cpp.inc"
      >();
}
