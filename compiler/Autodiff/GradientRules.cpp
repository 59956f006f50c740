//===- GradientRules.cpp - The table of gradient rules -------------------===//

#include "compiler/Autodiff/GradientRules.h"

using namespace mlir;

namespace ipuc::autodiff {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

const GradientRule *findGradientRule(Operation *op) {
  static const GradientRules rules = [] {
    GradientRules table;
    addElementwiseGradients(table);
    addShapeGradients(table);
    addLinearGradients(table);
    addConvGradients(table);
    return table;
  }();
  auto it = rules.find(op->getName().getStringRef());
  return it == rules.end() ? nullptr : &it->second;
}

} // namespace ipuc::autodiff
