//===- LowerOptimizer.cpp - optimizer ops -> fused elementwise linalg ----===//
//
// Each rule is its torch.optim update (torch/optim/{sgd,adam,adamw,adagrad,
// rmsprop}.py, single-tensor path) written as a scalar body, keeping torch's
// order of operations so that f32 rounding matches it closely. Scalars that
// depend only on hyper-parameters are folded in double precision, as torch
// computes them in Python floats; scalars that depend on the step (bias
// corrections, decayed rates, sync flags) are computed once per step in the
// rule's 0-d step kernel, which also advances the counter, and broadcast
// into the per-element kernel: computing them there charged every element
// for their exp, div and sqrt (the cost model counts body ops per element).
//
//===----------------------------------------------------------------------===//

#include "dialects/Optimizer/IR/OptimizerOps.h"
#include "dialects/Optimizer/Transforms/ElementwiseUpdate.h"
#include "dialects/Optimizer/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace ipuc {
#define GEN_PASS_DEF_LOWEROPTIMIZER
#include "dialects/Optimizer/Transforms/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::optimizer;

namespace {
double toDouble(const APFloat &value) { return value.convertToDouble(); }

/// `1 - beta^t` as `-expm1(t * log(beta))`: direct f32 powers lose most of
/// the correction's digits when beta is close to 1 (0.999^t for small t).
Value biasCorrection(ScalarMath &math, double beta, Value t) {
  Value power = math.expm1(math.mul(t, math.constant(std::log(beta))));
  return math.sub(math.constant(0.0), power);
}

/// `grad + weight_decay * param` (torch's `grad.add(param, alpha=wd)`).
Value decayedGrad(ScalarMath &math, Value grad, Value param, double decay) {
  if (decay == 0.0)
    return grad;
  return math.add(grad, math.scale(decay, param));
}

SmallVector<Value> lowerSgd(OpBuilder &b, SgdOp op) {
  double lr = toDouble(op.getLr()), momentum = toDouble(op.getMomentum());
  double dampening = toDouble(op.getDampening());
  double decay = toDouble(op.getWeightDecay());
  bool nesterov = op.getNesterov();
  if (momentum == 0.0)
    return buildElementwiseUpdate(
        b, op.getLoc(), {op.getParam(), op.getGrad()}, {}, 1,
        [&](ScalarMath &m, ValueRange e, ValueRange) {
          Value g = decayedGrad(m, e[1], e[0], decay);
          return SmallVector<Value>{m.sub(e[0], m.scale(lr, g))};
        });
  Value buf = op.getState()[0], step = op.getState()[1];
  // torch creates the buffer from the first gradient, undamped: whether
  // this is the first step is one i1 per step.
  SmallVector<Value> counter =
      buildStepKernel(b, op.getLoc(), step, {b.getI1Type()},
                      [&](OpBuilder &ob, Location loc, Value old, Value) {
                        return SmallVector<Value>{
                            ScalarMath(ob, loc, ob.getF32Type()).isZero(old)};
                      });
  SmallVector<Value> results = buildElementwiseUpdate(
      b, op.getLoc(), {op.getParam(), op.getGrad(), buf}, {counter[1]}, 2,
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        Value g = decayedGrad(m, e[1], e[0], decay);
        Value later = m.add(m.scale(momentum, e[2]), m.scale(1 - dampening, g));
        Value newBuf = m.select(s[0], g, later);
        Value d = nesterov ? m.add(g, m.scale(momentum, newBuf)) : newBuf;
        return SmallVector<Value>{m.sub(e[0], m.scale(lr, d)), newBuf};
      });
  results.push_back(counter[0]);
  return results;
}

SmallVector<Value> lowerAdam(OpBuilder &b, AdamOp op) {
  double lr = toDouble(op.getLr()), beta1 = toDouble(op.getBeta1());
  double beta2 = toDouble(op.getBeta2()), eps = toDouble(op.getEps());
  double decay = toDouble(op.getWeightDecay());
  bool decoupled = op.getDecoupled();
  Value step = op.getState()[2];
  Type element = getElementTypeOrSelf(op.getParam().getType());
  // step_size = lr / (1 - beta1^t) and sqrt(1 - beta2^t), once per step.
  SmallVector<Value> counter =
      buildStepKernel(b, op.getLoc(), step, {element, element},
                      [&](OpBuilder &ob, Location loc, Value, Value tF32) {
                        ScalarMath m(ob, loc, cast<FloatType>(element));
                        Value t = m.fromF32(tF32);
                        return SmallVector<Value>{
                            m.div(m.constant(lr), biasCorrection(m, beta1, t)),
                            m.sqrt(biasCorrection(m, beta2, t))};
                      });
  SmallVector<Value> results = buildElementwiseUpdate(
      b, op.getLoc(),
      {op.getParam(), op.getGrad(), op.getState()[0], op.getState()[1]},
      {counter[1], counter[2]}, 3,
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        Value p = e[0], g = e[1];
        if (decoupled) {
          if (decay != 0.0)
            p = m.scale(1.0 - lr * decay, p);
        } else {
          g = decayedGrad(m, g, p, decay);
        }
        Value avg = m.add(m.scale(beta1, e[2]), m.scale(1 - beta1, g));
        Value avgSq =
            m.add(m.scale(beta2, e[3]), m.scale(1 - beta2, m.mul(g, g)));
        Value stepSize = s[0], correction2Sqrt = s[1];
        Value denom =
            m.add(m.div(m.sqrt(avgSq), correction2Sqrt), m.constant(eps));
        Value newParam = m.sub(p, m.mul(stepSize, m.div(avg, denom)));
        return SmallVector<Value>{newParam, avg, avgSq};
      });
  results.push_back(counter[0]);
  return results;
}

SmallVector<Value> lowerAdagrad(OpBuilder &b, AdagradOp op) {
  double lr = toDouble(op.getLr()), lrDecay = toDouble(op.getLrDecay());
  double decay = toDouble(op.getWeightDecay()), eps = toDouble(op.getEps());
  Value step = op.getState()[1];
  Type element = getElementTypeOrSelf(op.getParam().getType());
  // clr = lr / (1 + (t - 1) * lr_decay), and t - 1 is the old step: once
  // per step, and a constant without decay.
  SmallVector<Value> counter;
  if (lrDecay != 0.0)
    counter = buildStepKernel(
        b, op.getLoc(), step, {element},
        [&](OpBuilder &ob, Location loc, Value old, Value) {
          ScalarMath m(ob, loc, cast<FloatType>(element));
          return SmallVector<Value>{
              m.div(m.constant(lr),
                    m.add(m.constant(1.0), m.scale(lrDecay, m.fromF32(old))))};
        });
  else
    counter = buildStepKernel(b, op.getLoc(), step);
  SmallVector<Value> results = buildElementwiseUpdate(
      b, op.getLoc(), {op.getParam(), op.getGrad(), op.getState()[0]},
      ValueRange(counter).drop_front(), 2,
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        Value g = decayedGrad(m, e[1], e[0], decay);
        Value clr = s.empty() ? m.constant(lr) : s[0];
        Value sum = m.add(e[2], m.mul(g, g));
        Value std = m.add(m.sqrt(sum), m.constant(eps));
        return SmallVector<Value>{m.sub(e[0], m.mul(clr, m.div(g, std))), sum};
      });
  results.push_back(counter[0]);
  return results;
}

SmallVector<Value> lowerRmsprop(OpBuilder &b, RmspropOp op) {
  double lr = toDouble(op.getLr()), alpha = toDouble(op.getAlpha());
  double eps = toDouble(op.getEps()), decay = toDouble(op.getWeightDecay());
  double momentum = toDouble(op.getMomentum());
  bool centered = op.getCentered();
  SmallVector<Value> elementwise = {op.getParam(), op.getGrad()};
  elementwise.append(op.getState().begin(), op.getState().end());
  return buildElementwiseUpdate(
      b, op.getLoc(), elementwise, {}, elementwise.size() - 1,
      [&](ScalarMath &m, ValueRange e, ValueRange) {
        Value g = decayedGrad(m, e[1], e[0], decay);
        ValueRange state = e.drop_front(2);
        Value squareAvg =
            m.add(m.scale(alpha, state[0]), m.scale(1 - alpha, m.mul(g, g)));
        SmallVector<Value> newState = {squareAvg};
        Value variance = squareAvg;
        Value oldBuf = momentum > 0.0 ? state[1] : Value();
        if (centered) {
          Value gradAvg =
              m.add(m.scale(alpha, state.back()), m.scale(1 - alpha, g));
          variance = m.sub(squareAvg, m.mul(gradAvg, gradAvg));
          // The momentum buffer, if any, goes before grad_avg (below).
          newState.push_back(gradAvg);
        }
        Value avg = m.add(m.sqrt(variance), m.constant(eps));
        Value newParam;
        if (oldBuf) {
          Value buf = m.add(m.scale(momentum, oldBuf), m.div(g, avg));
          newState.insert(newState.begin() + 1, buf);
          newParam = m.sub(e[0], m.scale(lr, buf));
        } else {
          newParam = m.sub(e[0], m.scale(lr, m.div(g, avg)));
        }
        newState.insert(newState.begin(), newParam);
        return newState;
      });
}

/// torch-optimizer's Lamb.step: the Adam step `u` and the moments in one
/// kernel, the two squared norms as reductions, then the trust-scaled
/// update in a second kernel.
SmallVector<Value> lowerLamb(OpBuilder &b, LambOp op) {
  double lr = toDouble(op.getLr()), beta1 = toDouble(op.getBeta1());
  double beta2 = toDouble(op.getBeta2()), eps = toDouble(op.getEps());
  double decay = toDouble(op.getWeightDecay());
  double clamp = toDouble(op.getClampValue());
  bool debias = op.getDebias();
  Location loc = op.getLoc();
  Value param = op.getParam(), step = op.getState()[2];
  SmallVector<Value> adam = buildElementwiseUpdate(
      b, loc, {param, op.getGrad(), op.getState()[0], op.getState()[1]}, {}, 3,
      [&](ScalarMath &m, ValueRange e, ValueRange) {
        Value g = e[1];
        Value avg = m.add(m.scale(beta1, e[2]), m.scale(1 - beta1, g));
        Value avgSq =
            m.add(m.scale(beta2, e[3]), m.scale(1 - beta2, m.mul(g, g)));
        Value u = m.div(avg, m.add(m.sqrt(avgSq), m.constant(eps)));
        if (decay != 0.0)
          u = m.add(u, m.scale(decay, e[0]));
        return SmallVector<Value>{u, avg, avgSq};
      });
  Value paramSq = buildSumOfSquares(b, loc, param);
  Value updateSq = buildSumOfSquares(b, loc, adam[0]);
  // The trust ratio and the debiased step size are per tensor and step:
  // their product is one 0-d kernel's, beside the new counter.
  Type element = getElementTypeOrSelf(param.getType());
  SmallVector<Value> scalars = buildScalarKernel(
      b, loc, {step, paramSq, updateSq}, {b.getF32Type(), element},
      [&](OpBuilder &ob, Location sLoc, ValueRange s) {
        ScalarMath f32(ob, sLoc, ob.getF32Type());
        ScalarMath m(ob, sLoc, cast<FloatType>(element));
        Value t = f32.add(s[0], f32.constant(1.0));
        Value paramNorm =
            ob.create<arith::MinimumFOp>(sLoc, m.sqrt(s[1]), m.constant(clamp));
        Value updateNorm = m.sqrt(s[2]);
        Value either = ob.create<arith::OrIOp>(sLoc, m.isZero(paramNorm),
                                               m.isZero(updateNorm));
        Value trust =
            m.select(either, m.constant(1.0), m.div(paramNorm, updateNorm));
        Value stepSize = m.constant(lr);
        if (debias) {
          Value tE = m.fromF32(t);
          stepSize =
              m.div(m.mul(stepSize, m.sqrt(biasCorrection(m, beta2, tE))),
                    biasCorrection(m, beta1, tE));
        }
        return SmallVector<Value>{t, m.mul(stepSize, trust)};
      });
  SmallVector<Value> newParam = buildElementwiseUpdate(
      b, loc, {param, adam[0]}, {scalars[1]}, 1,
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        return SmallVector<Value>{m.sub(e[0], m.mul(s[0], e[1]))};
      });
  return {newParam[0], adam[1], adam[2], scalars[0]};
}

/// The learned rule (optimizer.learned's description): one kernel for the
/// new momenta, one sum-of-squares reduction per feature, one 0-d kernel
/// for the features' inverse RMS (once per tensor rather than per element),
/// then one kernel that scales the features and evaluates the MLP with its
/// weights folded in as constants.
SmallVector<Value> lowerLearned(OpBuilder &b, LearnedOp op) {
  Location loc = op.getLoc();
  ArrayRef<double> decays = op.getDecays();
  Value param = op.getParam(), grad = op.getGrad();
  SmallVector<Value> momenta;
  if (!decays.empty()) {
    SmallVector<Value> inputs = {grad};
    llvm::append_range(inputs, op.getState());
    momenta = buildElementwiseUpdate(
        b, loc, inputs, {}, decays.size(),
        [&](ScalarMath &m, ValueRange e, ValueRange) {
          SmallVector<Value> next;
          for (auto [i, decay] : llvm::enumerate(decays))
            next.push_back(
                m.add(m.scale(decay, e[1 + i]), m.scale(1 - decay, e[0])));
          return next;
        });
  }
  SmallVector<Value> features = {grad, param};
  llvm::append_range(features, momenta);
  SmallVector<Value> sumsOfSquares;
  for (Value feature : features)
    sumsOfSquares.push_back(buildSumOfSquares(b, loc, feature));

  auto type = cast<RankedTensorType>(param.getType());
  double count = static_cast<double>(type.getNumElements());
  double eps = toDouble(op.getEps());
  SmallVector<Value> inverseRms = buildElementwiseUpdate(
      b, loc, sumsOfSquares, {}, sumsOfSquares.size(),
      [&](ScalarMath &m, ValueRange e, ValueRange) {
        SmallVector<Value> scales;
        for (Value sq : e) {
          Value mean = m.div(sq, m.constant(count));
          scales.push_back(
              m.div(m.constant(1.0), m.sqrt(m.add(mean, m.constant(eps)))));
        }
        return scales;
      });
  double lr = toDouble(op.getLr()), magScale = toDouble(op.getMagScale());
  SmallVector<float> w1(op.getW1().getValues<float>());
  SmallVector<float> b1(op.getB1().getValues<float>());
  SmallVector<float> w2(op.getW2().getValues<float>());
  SmallVector<float> b2(op.getB2().getValues<float>());
  size_t hidden = b1.size();
  SmallVector<Value> newParam = buildElementwiseUpdate(
      b, loc, features, inverseRms, 1,
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        SmallVector<Value> normalised;
        for (auto [f, scale] : llvm::zip_equal(e, s))
          normalised.push_back(m.mul(f, scale));
        OpBuilder &ob = m.getBuilder();
        Value out[2] = {m.constant(b2[0]), m.constant(b2[1])};
        for (size_t k = 0; k < hidden; ++k) {
          Value acc = m.constant(b1[k]);
          for (auto [j, f] : llvm::enumerate(normalised))
            acc = m.add(acc, m.scale(w1[j * hidden + k], f));
          Value h =
              ob.create<arith::MaximumFOp>(m.getLoc(), acc, m.constant(0.0));
          for (size_t o = 0; o < 2; ++o)
            out[o] = m.add(out[o], m.scale(w2[k * 2 + o], h));
        }
        Value magnitude =
            ob.create<math::ExpOp>(m.getLoc(), m.scale(magScale, out[1]));
        Value step = m.mul(m.scale(lr, out[0]), magnitude);
        return SmallVector<Value>{m.sub(e[1], step)};
      });
  SmallVector<Value> results = {newParam[0]};
  llvm::append_range(results, momenta);
  return results;
}

/// The inner rule's ops (already lowered: the walk is post-order) are
/// inlined, then one kernel syncs the slow weights every k-th step.
SmallVector<Value> lowerLookahead(OpBuilder &b, LookaheadOp op) {
  Block &body = op.getBody().front();
  IRMapping mapping;
  SmallVector<Value> innerArgs = {op.getParam(), op.getGrad()};
  llvm::append_range(innerArgs, op.getState().drop_front(2));
  mapping.map(body.getArguments(), innerArgs);
  for (Operation &inner : body.without_terminator())
    b.clone(inner, mapping);
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> innerResults(llvm::map_range(
      yield.getValues(), [&](Value v) { return mapping.lookupOrDefault(v); }));
  double k = static_cast<double>(op.getK());
  double alpha = toDouble(op.getAlpha());
  Value slow = op.getState()[0], step = op.getState()[1];
  // Whether this step syncs, once per step. The counter is f32 whatever
  // the parameter's type: t = step + 1 counts exactly up to 2^24 steps.
  SmallVector<Value> counter =
      buildStepKernel(b, op.getLoc(), step, {b.getI1Type()},
                      [&](OpBuilder &ob, Location loc, Value, Value t) {
                        ScalarMath f32(ob, loc, ob.getF32Type());
                        Value rem =
                            ob.create<arith::RemFOp>(loc, t, f32.constant(k));
                        return SmallVector<Value>{f32.isZero(rem)};
                      });
  SmallVector<Value> synced = buildElementwiseUpdate(
      b, op.getLoc(), {innerResults[0], slow}, {counter[1]}, 2,
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        Value sync = s[0];
        Value moved = m.add(e[1], m.scale(alpha, m.sub(e[0], e[1])));
        Value newSlow = m.select(sync, moved, e[1]);
        return SmallVector<Value>{m.select(sync, newSlow, e[0]), newSlow};
      });
  SmallVector<Value> results = {synced[0], synced[1], counter[0]};
  llvm::append_range(results, ArrayRef<Value>(innerResults).drop_front());
  return results;
}

/// A hand-written rule: its body, cloned with the block's arguments bound
/// to the kernel's scalars, is the kernel's body.
SmallVector<Value> lowerCustom(OpBuilder &b, CustomOp op) {
  SmallVector<Value> elementwise = {op.getParam(), op.getGrad()};
  elementwise.append(op.getState().begin(), op.getState().end());
  Block &body = op.getBody().front();
  return buildElementwiseUpdate(
      b, op.getLoc(), elementwise, op.getScalars(), op.getNumResults(),
      [&](ScalarMath &m, ValueRange e, ValueRange s) {
        IRMapping mapping;
        mapping.map(body.getArguments().take_front(e.size()), e);
        mapping.map(body.getArguments().drop_front(e.size()), s);
        for (Operation &inner : body.without_terminator())
          m.getBuilder().clone(inner, mapping);
        auto yield = cast<YieldOp>(body.getTerminator());
        return SmallVector<Value>(llvm::map_range(
            yield.getValues(), [&](Value v) { return mapping.lookup(v); }));
      });
}

struct LowerOptimizerPass
    : public ipuc::impl::LowerOptimizerBase<LowerOptimizerPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      // A custom rule's yield goes with the rule.
      if (isa<OptimizerDialect>(op->getDialect()) && !isa<YieldOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      SmallVector<Value> replacement =
          llvm::TypeSwitch<Operation *, SmallVector<Value>>(op)
              .Case([&](SgdOp sgd) { return lowerSgd(rewriter, sgd); })
              .Case([&](AdamOp adam) { return lowerAdam(rewriter, adam); })
              .Case([&](AdagradOp ada) { return lowerAdagrad(rewriter, ada); })
              .Case([&](RmspropOp rms) { return lowerRmsprop(rewriter, rms); })
              .Case([&](LambOp lamb) { return lowerLamb(rewriter, lamb); })
              .Case([&](LearnedOp learned) {
                return lowerLearned(rewriter, learned);
              })
              .Case(
                  [&](LookaheadOp la) { return lowerLookahead(rewriter, la); })
              .Case([&](CustomOp custom) {
                return lowerCustom(rewriter, custom);
              })
              .Default([](Operation *) { return SmallVector<Value>(); });
      if (replacement.size() != op->getNumResults()) {
        op->emitOpError("has no lowering in ipuc-lower-optimizer");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, replacement);
    }
  }
};
} // namespace
