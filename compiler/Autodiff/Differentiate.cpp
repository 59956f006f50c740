//===- Differentiate.cpp - Reverse-mode gradients of one function --------===//
//
// The forward function is kept as it is; the backward pass is appended
// before its return, reading forward values directly (no recomputation), and
// the return gains one gradient per parameter. Only float values that depend
// on a parameter ("active") and reach the loss get gradients, so ops on
// inputs and constants need no rule.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Differentiate.h"
#include "compiler/Autodiff/GradientRules.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace ipuc::autodiff {

namespace {

bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && isa<FloatType>(type.getElementType());
}

/// Sums the gradients of a value used more than once.
void accumulate(DenseMap<Value, Value> &adjoints, TosaBuild &t, Value value,
                Value grad) {
  auto [it, inserted] = adjoints.try_emplace(value, grad);
  if (!inserted)
    it->second = t.add(it->second, grad);
}

} // namespace

SmallVector<unsigned> parameterIndices(func::FuncOp func) {
  SmallVector<unsigned> params;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (func.getArgAttr(i, kParamAttr))
      params.push_back(i);
  return params;
}

LogicalResult differentiate(func::FuncOp func) {
  SmallVector<unsigned> params = parameterIndices(func);
  if (params.empty())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError("ipuc-autodiff: '")
           << func.getSymName() << "' must have a single block";
  Block &block = func.front();
  auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
  if (!ret || ret.getNumOperands() != 1)
    return func.emitError("ipuc-autodiff: '")
           << func.getSymName() << "' must return exactly one loss value";
  Value loss = ret.getOperand(0);
  if (!isFloatTensor(loss) ||
      cast<RankedTensorType>(loss.getType()).getNumElements() != 1)
    return ret.emitError("ipuc-autodiff: the loss must be a float tensor "
                         "of one element, got ")
           << loss.getType();
  for (unsigned i : params)
    if (!isFloatTensor(func.getArgument(i)))
      return func.emitError("ipuc-autodiff: parameter '")
             << argumentName(func, i)
             << "' must be a statically shaped float tensor, got "
             << func.getArgument(i).getType();

  // Forward: which values depend on a parameter.
  DenseSet<Value> active;
  for (unsigned i : params)
    active.insert(func.getArgument(i));
  for (Operation &op : block.without_terminator()) {
    if (llvm::none_of(op.getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    for (Value result : op.getResults())
      if (isFloatTensor(result))
        active.insert(result);
  }

  // Backward, in reverse program order so that every use of a value has
  // contributed to its gradient before the value's own op is visited.
  OpBuilder builder(ret);
  DenseMap<Value, Value> adjoints;
  {
    TosaBuild seed(builder, ret.getLoc());
    adjoints[loss] = seed.splat(cast<RankedTensorType>(loss.getType()), 1.0);
  }
  for (Operation &op : llvm::reverse(block.without_terminator())) {
    if (llvm::none_of(op.getResults(),
                      [&](Value v) { return adjoints.count(v); }) ||
        llvm::none_of(op.getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    const GradientRule *rule = findGradientRule(&op);
    if (!rule)
      return op.emitError("ipuc-autodiff: no gradient rule for '")
             << op.getName() << "'";
    TosaBuild t(builder, op.getLoc());
    SmallVector<Value> resultGrads;
    for (Value result : op.getResults()) {
      Value grad = adjoints.lookup(result);
      if (!grad)
        grad = t.splat(cast<RankedTensorType>(result.getType()), 0.0);
      resultGrads.push_back(grad);
    }
    FailureOr<SmallVector<Value>> grads = (*rule)(t, &op, resultGrads);
    if (failed(grads))
      return failure();
    for (auto [operand, grad] : llvm::zip_equal(op.getOperands(), *grads))
      if (grad && active.contains(operand))
        accumulate(adjoints, t, operand, grad);
  }

  // A parameter the loss does not depend on has a zero gradient.
  SmallVector<Value> results = {loss};
  for (unsigned i : params) {
    Value grad = adjoints.lookup(func.getArgument(i));
    if (!grad) {
      TosaBuild zero(builder, func.getArgument(i).getLoc());
      grad = zero.splat(tensorType(func.getArgument(i)), 0.0);
    }
    results.push_back(grad);
  }
  builder.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();

  SmallVector<Type> resultTypes;
  for (Value v : results)
    resultTypes.push_back(v.getType());
  SmallVector<Attribute> resultAttrs = {
      func.getResultAttrDict(0) ? Attribute(func.getResultAttrDict(0))
                                : DictionaryAttr::get(func.getContext())};
  Builder b(func.getContext());
  for (unsigned i : params)
    resultAttrs.push_back(b.getDictionaryAttr(b.getNamedAttr(
        kNameAttr, b.getStringAttr("grad_" + argumentName(func, i)))));
  func.setFunctionType(FunctionType::get(func.getContext(),
                                         func.getArgumentTypes(), resultTypes));
  func.setAllResultAttrs(resultAttrs);
  return success();
}

std::string argumentName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, kNameAttr))
    return name.str();
  return "arg" + std::to_string(index);
}

} // namespace ipuc::autodiff
