//===- TrainingOps.cpp - ONNX's ai.onnx.preview.training optimizers ------===//
//
// Adam, Momentum (standard and Nesterov) and Adagrad of ONNX's training
// domain. Each node updates n tensors from a run-time learning rate R and
// iteration count T; each tensor becomes one `optimizer.custom` rule whose
// body is ONNX's arithmetic (onnx/reference/ops/aionnxpreviewtraining),
// with R and T as the rule's scalars. The named optimizer ops follow
// torch.optim instead (compile-time learning rate, a step counter it
// advances itself, epsilon outside Adam's bias correction), so they are not
// used here; the custom rule is the one mechanism for all three.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/NodeImporter.h"
#include "compiler/Import/TosaHelpers.h"
#include "dialects/Optimizer/IR/OptimizerOps.h"
#include "dialects/Optimizer/Transforms/ElementwiseUpdate.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

/// One tensor's update: `e` is (X, G, state...) and the result
/// (X_new, state_new...), all element scalars; R and T are the node's
/// learning rate and iteration count in the same element type.
using OnnxRule = llvm::function_ref<SmallVector<Value>(
    ScalarMath &m, ValueRange e, Value r, Value t)>;

/// `T > 0` as an i1; ONNX's rules special-case the first iteration.
Value isPositive(ScalarMath &m, Value t) {
  return m.getBuilder().create<arith::CmpFOp>(
      m.getLoc(), arith::CmpFPredicate::OGT, t, m.constant(0.0));
}

/// `norm_coefficient * X + G`: the gradient of 0.5 * c * ||X||^2 added.
Value regularized(ScalarMath &m, Value x, Value g, double coefficient) {
  if (coefficient == 0.0)
    return g;
  return m.add(m.scale(coefficient, x), g);
}

/// `1 - beta^t`, accurate for beta close to 1 (see LowerOptimizer.cpp).
Value oneMinusPower(ScalarMath &m, double beta, Value t) {
  return m.sub(m.constant(0.0), m.expm1(m.mul(t, m.constant(std::log(beta)))));
}

/// The shared part of the three ops: the inputs are R, T, then n tensors
/// X1..Xn, n gradients, and n tensors per state; the outputs are the n new
/// tensors, then n per state. Builds one custom rule per tensor.
LogicalResult convertTrainingOp(NodeContext &ctx, unsigned numState,
                                OnnxRule rule) {
  unsigned perTensor = 2 + numState;
  size_t numInputs = ctx.numInputs();
  if (numInputs < 2 + perTensor || (numInputs - 2) % perTensor != 0)
    return ctx.error("expects R, T and " + Twine(perTensor) +
                     " inputs per optimized tensor, got " + Twine(numInputs) +
                     " inputs");
  size_t n = (numInputs - 2) / perTensor;
  if (ctx.numOutputs() > n * (1 + numState))
    return ctx.error("expects at most " + Twine(n * (1 + numState)) +
                     " outputs for " + Twine(n) + " tensors, got " +
                     Twine(ctx.numOutputs()));
  for (size_t i = 0; i < numInputs; ++i)
    if (!ctx.hasInput(i))
      return ctx.error("input " + Twine(i) + " is missing");
  for (size_t i = 0; i < 2; ++i)
    if (ctx.inputType(i).getRank() != 0)
      return ctx.error(Twine(i == 0 ? "R" : "T") +
                       " must be a scalar (rank 0) tensor");

  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  // Loaded on first use, as only training models need them.
  b.getContext()->getOrLoadDialect<optimizer::OptimizerDialect>();
  b.getContext()->getOrLoadDialect<math::MathDialect>();
  for (size_t i = 0; i < n; ++i) {
    Value x = ctx.input(2 + i);
    auto type = ctx.inputType(2 + i);
    auto element = dyn_cast<FloatType>(type.getElementType());
    if (!element)
      return ctx.error("unsupported dtype: input " + Twine(2 + i) +
                       " (an optimized tensor) is not floating point");
    SmallVector<Value> state;
    for (unsigned k = 0; k <= numState; ++k) {
      size_t index = 2 + (1 + k) * n + i;
      if (ctx.inputType(index) != type)
        return ctx.error("input " + Twine(index) +
                         " must have the type of the tensor it updates "
                         "(input " +
                         Twine(2 + i) + ")");
      if (k > 0)
        state.push_back(ctx.input(index));
    }
    Value grad = ctx.input(2 + n + i);
    // R may be double and T is int64; the rule computes in X's type.
    SmallVector<Value> scalars = {castTo(b, loc, ctx.input(0), element),
                                  castTo(b, loc, ctx.input(1), element)};
    auto op = b.create<optimizer::CustomOp>(loc, x, grad, state, scalars);

    OpBuilder::InsertionGuard guard(b);
    SmallVector<Type> argTypes(2 + numState + 2, element);
    SmallVector<Location> argLocs(argTypes.size(), loc);
    Block *body = b.createBlock(&op.getBody(), {}, argTypes, argLocs);
    ScalarMath math(b, loc, element);
    ValueRange args = body->getArguments();
    SmallVector<Value> results = rule(math, args.take_front(perTensor),
                                      args[perTensor], args[perTensor + 1]);
    b.create<optimizer::YieldOp>(loc, results);

    for (unsigned k = 0; k <= numState; ++k)
      if (ctx.hasOutput(k * n + i))
        ctx.setResult(k * n + i, op->getResult(k));
  }
  return success();
}

LogicalResult convertAdam(NodeContext &ctx) {
  double alpha = ctx.attrFloat("alpha", 0.9f);
  double beta = ctx.attrFloat("beta", 0.999f);
  double eps = ctx.attrFloat("epsilon", 1e-6f);
  double norm = ctx.attrFloat("norm_coefficient", 0.0f);
  double post = ctx.attrFloat("norm_coefficient_post", 0.0f);
  // log(alpha), log(beta) in the bias corrections need them in (0, 1).
  if (!(alpha > 0.0 && alpha < 1.0) || !(beta > 0.0 && beta < 1.0))
    return ctx.error("alpha and beta must be in (0, 1)");
  return convertTrainingOp(
      ctx, 2, [&](ScalarMath &m, ValueRange e, Value r, Value t) {
        Value g = regularized(m, e[0], e[1], norm);
        Value v = m.add(m.scale(alpha, e[2]), m.scale(1.0 - alpha, g));
        Value h = m.add(m.scale(beta, e[3]), m.scale(1.0 - beta, m.mul(g, g)));
        // Unlike torch, epsilon is added to sqrt(H) before the bias
        // correction, which scales the learning rate instead.
        Value hSqrt = m.add(m.sqrt(h), m.constant(eps));
        Value corrected = m.div(m.mul(r, m.sqrt(oneMinusPower(m, beta, t))),
                                oneMinusPower(m, alpha, t));
        Value rate = m.select(isPositive(m, t), corrected, r);
        Value x = m.sub(e[0], m.mul(rate, m.div(v, hSqrt)));
        if (post != 0.0)
          x = m.scale(1.0 - post, x);
        return SmallVector<Value>{x, v, h};
      });
}

LogicalResult convertMomentum(NodeContext &ctx) {
  for (StringRef name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!ctx.hasAttr(name))
      return ctx.error("attribute '" + name + "' is required");
  double alpha = ctx.attrFloat("alpha", 0.0f);
  double beta = ctx.attrFloat("beta", 0.0f);
  double norm = ctx.attrFloat("norm_coefficient", 0.0f);
  std::string mode = ctx.attrString("mode", "");
  if (mode != "standard" && mode != "nesterov")
    return ctx.error("mode must be \"standard\" or \"nesterov\", got \"" +
                     mode + "\"");
  bool nesterov = mode == "nesterov";
  return convertTrainingOp(
      ctx, 1, [&](ScalarMath &m, ValueRange e, Value r, Value t) {
        Value g = regularized(m, e[0], e[1], norm);
        // The first iteration adds the whole gradient (beta is taken as 1).
        Value scaledG = m.select(isPositive(m, t), m.scale(beta, g), g);
        Value v = m.add(m.scale(alpha, e[2]), scaledG);
        Value d = nesterov ? m.add(g, m.scale(alpha, v)) : v;
        return SmallVector<Value>{m.sub(e[0], m.mul(r, d)), v};
      });
}

LogicalResult convertAdagrad(NodeContext &ctx) {
  double decay = ctx.attrFloat("decay_factor", 0.0f);
  double eps = ctx.attrFloat("epsilon", 1e-6f);
  double norm = ctx.attrFloat("norm_coefficient", 0.0f);
  return convertTrainingOp(
      ctx, 1, [&](ScalarMath &m, ValueRange e, Value r, Value t) {
        Value rate = m.div(r, m.add(m.constant(1.0), m.scale(decay, t)));
        Value g = regularized(m, e[0], e[1], norm);
        Value h = m.add(e[2], m.mul(g, g));
        Value hSqrt = m.add(m.sqrt(h), m.constant(eps));
        return SmallVector<Value>{m.sub(e[0], m.div(m.mul(rate, g), hSqrt)), h};
      });
}

} // namespace

void registerTrainingConverters(ConverterRegistry &r) {
  // The training domain's opset 1 (ONNX 1.7 onwards).
  const char *domain = "ai.onnx.preview.training";
  r[domainKey(domain, "Adam")] = {convertAdam, 1};
  r[domainKey(domain, "Momentum")] = {convertMomentum, 1};
  r[domainKey(domain, "Adagrad")] = {convertAdagrad, 1};
}

} // namespace ipuc::onnx_import
