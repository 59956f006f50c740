//===- OptimizerOps.cpp - optimizer dialect ops --------------------------===//
//
// The verifiers reject what torch.optim's constructors reject (negative
// learning rates, betas outside [0, 1), Nesterov without plain momentum,
// ...) and state lists that do not match the rule, so the lowering can
// assume a well-formed rule.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optimizer/IR/OptimizerOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace ipuc::optimizer;

namespace {
/// An interval check on one hyper-parameter, reported by attribute name.
struct Range {
  StringRef name;
  double value;
  double lo;
  bool loOpen; // lo < value instead of lo <= value
  double hi = INFINITY;
  bool hiOpen = true;
};
} // namespace

/// Hyper-parameters as a user writes them (0.001, not 1.000000e-03).
static std::string formatValue(double value) {
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  char buffer[32];
  snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

static LogicalResult checkRanges(Operation *op, ArrayRef<Range> ranges) {
  for (const Range &r : ranges) {
    bool aboveLo = r.loOpen ? r.value > r.lo : r.value >= r.lo;
    bool belowHi = r.hiOpen ? r.value < r.hi : r.value <= r.hi;
    // NaN fails both comparisons, so it is rejected too.
    if (aboveLo && belowHi)
      continue;
    InFlightDiagnostic diag =
        op->emitOpError() << "expects " << r.name << " in "
                          << (r.loOpen ? "(" : "[") << formatValue(r.lo) << ", "
                          << formatValue(r.hi) << (r.hiOpen ? ")" : "]");
    return diag << ", got " << formatValue(r.value);
  }
  return success();
}

/// Checks the state operands against the rule's state names: "step" is a
/// 0-d f32 counter, every other state has the parameter's type. Results
/// need no check: their types are inferred from the operands.
static LogicalResult checkState(Operation *op, Value param, ValueRange state,
                                ArrayRef<StringRef> names) {
  if (state.size() != names.size()) {
    InFlightDiagnostic diag = op->emitOpError()
                              << "expects " << names.size() << " state tensors";
    if (!names.empty()) {
      diag << " (";
      llvm::interleaveComma(names, diag);
      diag << ")";
    }
    return diag << " for its attributes, got " << state.size();
  }
  Type f32Scalar =
      RankedTensorType::get({}, Float32Type::get(op->getContext()));
  for (auto [i, value, name] : llvm::enumerate(state, names)) {
    Type expected = name == "step" ? f32Scalar : param.getType();
    if (value.getType() != expected)
      return op->emitOpError()
             << "expects state #" << i << " (" << name << ") of type "
             << expected << ", got " << value.getType();
  }
  return success();
}

/// The results are the parameter's type followed by the state's types.
static LogicalResult inferUpdateTypes(ValueRange operands,
                                      SmallVectorImpl<Type> &types) {
  if (operands.size() < 2)
    return failure();
  types.push_back(operands[0].getType());
  for (Value state : operands.drop_front(2))
    types.push_back(state.getType());
  return success();
}

#define IPUC_INFER_UPDATE_TYPES(OpClass)                                       \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location>, ValueRange operands,             \
      DictionaryAttr, OpaqueProperties, RegionRange,                           \
      SmallVectorImpl<Type> &types) {                                          \
    return inferUpdateTypes(operands, types);                                  \
  }
IPUC_INFER_UPDATE_TYPES(SgdOp)
IPUC_INFER_UPDATE_TYPES(AdamOp)
IPUC_INFER_UPDATE_TYPES(AdagradOp)
IPUC_INFER_UPDATE_TYPES(RmspropOp)
IPUC_INFER_UPDATE_TYPES(LambOp)
IPUC_INFER_UPDATE_TYPES(LearnedOp)
#undef IPUC_INFER_UPDATE_TYPES

//===----------------------------------------------------------------------===//
// sgd
//===----------------------------------------------------------------------===//

SmallVector<StringRef> SgdOp::getStateNames() {
  if (getMomentum().convertToDouble() == 0.0)
    return {};
  return {"momentum_buffer", "step"};
}

LogicalResult SgdOp::verify() {
  double momentum = getMomentum().convertToDouble();
  if (failed(checkRanges(
          *this,
          {{"lr", getLr().convertToDouble(), 0.0, false},
           {"momentum", momentum, 0.0, false},
           {"dampening", getDampening().convertToDouble(), 0.0, false, 1.0,
            false},
           {"weight_decay", getWeightDecay().convertToDouble(), 0.0, false}})))
    return failure();
  // As torch.optim.SGD: Nesterov momentum is only defined without dampening.
  if (getNesterov() &&
      (momentum == 0.0 || getDampening().convertToDouble() != 0.0))
    return emitOpError("nesterov needs momentum > 0 and dampening = 0");
  return checkState(*this, getParam(), getState(), getStateNames());
}

//===----------------------------------------------------------------------===//
// adam
//===----------------------------------------------------------------------===//

SmallVector<StringRef> AdamOp::getStateNames() {
  return {"exp_avg", "exp_avg_sq", "step"};
}

LogicalResult AdamOp::verify() {
  if (failed(checkRanges(
          *this,
          {{"lr", getLr().convertToDouble(), 0.0, false},
           {"beta1", getBeta1().convertToDouble(), 0.0, false, 1.0, true},
           {"beta2", getBeta2().convertToDouble(), 0.0, false, 1.0, true},
           {"eps", getEps().convertToDouble(), 0.0, true},
           {"weight_decay", getWeightDecay().convertToDouble(), 0.0, false}})))
    return failure();
  return checkState(*this, getParam(), getState(), getStateNames());
}

//===----------------------------------------------------------------------===//
// adagrad
//===----------------------------------------------------------------------===//

SmallVector<StringRef> AdagradOp::getStateNames() { return {"sum", "step"}; }

LogicalResult AdagradOp::verify() {
  if (failed(checkRanges(
          *this,
          {{"lr", getLr().convertToDouble(), 0.0, false},
           {"lr_decay", getLrDecay().convertToDouble(), 0.0, false},
           {"weight_decay", getWeightDecay().convertToDouble(), 0.0, false},
           {"eps", getEps().convertToDouble(), 0.0, true}})))
    return failure();
  return checkState(*this, getParam(), getState(), getStateNames());
}

//===----------------------------------------------------------------------===//
// rmsprop
//===----------------------------------------------------------------------===//

SmallVector<StringRef> RmspropOp::getStateNames() {
  SmallVector<StringRef> names = {"square_avg"};
  if (getMomentum().convertToDouble() > 0.0)
    names.push_back("momentum_buffer");
  if (getCentered())
    names.push_back("grad_avg");
  return names;
}

LogicalResult RmspropOp::verify() {
  if (failed(checkRanges(
          *this,
          {{"lr", getLr().convertToDouble(), 0.0, false},
           {"alpha", getAlpha().convertToDouble(), 0.0, false, 1.0, false},
           {"eps", getEps().convertToDouble(), 0.0, true},
           {"weight_decay", getWeightDecay().convertToDouble(), 0.0, false},
           {"momentum", getMomentum().convertToDouble(), 0.0, false}})))
    return failure();
  return checkState(*this, getParam(), getState(), getStateNames());
}

//===----------------------------------------------------------------------===//
// lamb
//===----------------------------------------------------------------------===//

SmallVector<StringRef> LambOp::getStateNames() {
  return {"exp_avg", "exp_avg_sq", "step"};
}

LogicalResult LambOp::verify() {
  // As torch-optimizer's Lamb constructor.
  if (failed(checkRanges(
          *this,
          {{"lr", getLr().convertToDouble(), 0.0, false},
           {"beta1", getBeta1().convertToDouble(), 0.0, false, 1.0, true},
           {"beta2", getBeta2().convertToDouble(), 0.0, false, 1.0, true},
           {"eps", getEps().convertToDouble(), 0.0, true},
           {"weight_decay", getWeightDecay().convertToDouble(), 0.0, false},
           {"clamp_value", getClampValue().convertToDouble(), 0.0, true}})))
    return failure();
  return checkState(*this, getParam(), getState(), getStateNames());
}

//===----------------------------------------------------------------------===//
// learned
//===----------------------------------------------------------------------===//

SmallVector<StringRef> LearnedOp::getStateNames() {
  // Interned in the context, so the names outlive this call.
  SmallVector<StringRef> names;
  for (size_t i = 0; i < getDecays().size(); ++i)
    names.push_back(
        StringAttr::get(getContext(), "momentum_" + Twine(i)).getValue());
  return names;
}

/// Checks that an MLP weight attribute has the shape `expected`, where a
/// negative size matches any size >= 1.
static LogicalResult checkWeightShape(Operation *op, StringRef name,
                                      DenseElementsAttr value,
                                      ArrayRef<int64_t> expected,
                                      StringRef meaning) {
  ArrayRef<int64_t> shape = value.getType().getShape();
  bool ok = shape.size() == expected.size();
  for (size_t i = 0; ok && i < shape.size(); ++i)
    ok = expected[i] < 0 ? shape[i] >= 1 : shape[i] == expected[i];
  if (ok)
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "expects " << name << " of shape " << meaning
                            << ", got [";
  llvm::interleaveComma(shape, diag);
  return diag << "]";
}

LogicalResult LearnedOp::verify() {
  for (auto [i, decay] : llvm::enumerate(getDecays()))
    if (failed(checkRanges(*this, {{"decays[" + std::to_string(i) + "]", decay,
                                    0.0, false, 1.0, true}})))
      return failure();
  if (failed(checkRanges(
          *this, {{"lr", getLr().convertToDouble(), 0.0, false},
                  {"mag_scale", getMagScale().convertToDouble(), 0.0, false},
                  {"eps", getEps().convertToDouble(), 0.0, true}})))
    return failure();
  auto type = cast<RankedTensorType>(getParam().getType());
  if (!type.hasStaticShape())
    return emitOpError() << "expects a parameter of static shape (the "
                            "feature normalisation divides by its element "
                            "count), got "
                         << type;
  int64_t features = 2 + static_cast<int64_t>(getDecays().size());
  std::string w1Shape = "[" + std::to_string(features) +
                        ", H] (grad, param and one momentum "
                        "per decay, by H hidden units)";
  if (failed(checkWeightShape(*this, "w1", getW1(), {features, -1}, w1Shape)))
    return failure();
  int64_t hidden = getW1().getType().getShape()[1];
  std::string h = std::to_string(hidden);
  if (failed(checkWeightShape(*this, "b1", getB1(), {hidden},
                              "[" + h + "] (H = w1's columns)")) ||
      failed(checkWeightShape(*this, "w2", getW2(), {hidden, 2},
                              "[" + h + ", 2] (H by direction, magnitude)")) ||
      failed(checkWeightShape(*this, "b2", getB2(), {2},
                              "[2] (direction, magnitude)")))
    return failure();
  return checkState(*this, getParam(), getState(), getStateNames());
}

//===----------------------------------------------------------------------===//
// lookahead
//===----------------------------------------------------------------------===//

LogicalResult LookaheadOp::verify() {
  if (getK() < 1)
    return emitOpError() << "expects k >= 1, got " << getK();
  if (failed(checkRanges(*this, {{"alpha", getAlpha().convertToDouble(), 0.0,
                                  false, 1.0, false}})))
    return failure();
  ValueRange state = getState();
  Type f32Scalar = RankedTensorType::get({}, Float32Type::get(getContext()));
  if (state.size() < 2 || state[0].getType() != getParam().getType() ||
      state[1].getType() != f32Scalar)
    return emitOpError() << "expects the state to start with the slow weights ("
                         << getParam().getType() << ") and the step ("
                         << f32Scalar << ")";
  if (getNewState().getTypes() != state.getTypes())
    return emitOpError("expects the new state of the state's types");
  return success();
}

LogicalResult LookaheadOp::verifyRegions() {
  Block &body = getBody().front();
  // The inner rule sees the parameter, the gradient and its own state.
  SmallVector<Type> inner = {getParam().getType(), getGrad().getType()};
  llvm::append_range(inner, getState().drop_front(2).getTypes());
  if (body.getArgumentTypes() != ArrayRef<Type>(inner))
    return emitOpError() << "expects the body to take the parameter, the "
                            "gradient and the inner state ("
                         << inner.size() << " tensors after slow and step)";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("expects the body to end in optimizer.yield");
  SmallVector<Type> yielded = {getParam().getType()};
  llvm::append_range(yielded, getState().drop_front(2).getTypes());
  if (yield.getValues().getTypes() != ArrayRef<Type>(yielded))
    return yield.emitOpError()
           << "expects the fast parameter and the " << yielded.size() - 1
           << " new inner state tensors";
  return success();
}

//===----------------------------------------------------------------------===//
// custom
//===----------------------------------------------------------------------===//

LogicalResult CustomOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getParam().getType());
  for (Value state : adaptor.getState())
    types.push_back(state.getType());
  return success();
}

LogicalResult CustomOp::verify() {
  Type paramType = getParam().getType();
  // The rule is elementwise: every state tensor is read element by element
  // alongside the parameter.
  for (auto [i, state] : llvm::enumerate(getState()))
    if (state.getType() != paramType)
      return emitOpError() << "expects state #" << i << " of the parameter's "
                           << "type " << paramType << ", got "
                           << state.getType();
  Type element = getElementTypeOrSelf(paramType);
  for (auto [i, scalar] : llvm::enumerate(getScalars()))
    if (getElementTypeOrSelf(scalar.getType()) != element)
      return emitOpError() << "expects scalar #" << i << " of element type "
                           << element << ", got " << scalar.getType();
  return success();
}

LogicalResult CustomOp::verifyRegions() {
  Block &body = getBody().front();
  Type element = getElementTypeOrSelf(getParam().getType());
  size_t numArgs = 2 + getState().size() + getScalars().size();
  if (body.getNumArguments() != numArgs)
    return emitOpError() << "expects a body with " << numArgs
                         << " arguments (param, grad, " << getState().size()
                         << " state, " << getScalars().size()
                         << " scalars), got " << body.getNumArguments();
  for (BlockArgument arg : body.getArguments())
    if (arg.getType() != element)
      return emitOpError() << "expects body argument #" << arg.getArgNumber()
                           << " of type " << element << ", got "
                           << arg.getType();
  // Only scalar arithmetic keeps the rule elementwise and lowerable by
  // cloning the body into a linalg.generic.
  for (Operation &op : body.without_terminator()) {
    StringRef dialect = op.getDialect() ? op.getDialect()->getNamespace() : "";
    if ((dialect != "arith" && dialect != "math") || op.getNumRegions() != 0)
      return op.emitOpError()
             << "is not allowed in an optimizer.custom body, which holds "
                "only arith and math ops";
  }
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("expects the body to end in optimizer.yield");
  size_t numResults = 1 + getState().size();
  if (yield.getValues().size() != numResults)
    return yield.emitOpError()
           << "yields " << yield.getValues().size() << " values, expected "
           << numResults << " (the new parameter and each new state)";
  for (auto [i, value] : llvm::enumerate(yield.getValues()))
    if (value.getType() != element)
      return yield.emitOpError() << "expects value #" << i << " of type "
                                 << element << ", got " << value.getType();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Optimizer/IR/OptimizerOps.cpp.inc"
