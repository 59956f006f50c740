//===- TrainingStep.cpp - Gradients plus one optimizer update ------------===//
//
// Composes ipuc-autodiff with the optimizer dialect: the gradient results
// that autodiff appends are consumed by one update op per parameter, whose
// state is threaded through the function's arguments and results so that
// it stays outside the plan (and resident on the device) between steps.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Differentiate.h"
#include "compiler/Autodiff/GradientClipping.h"
#include "compiler/Autodiff/LearnedWeights.h"
#include "compiler/Autodiff/Passes.h"
#include "compiler/Autodiff/TosaBuild.h"
#include "dialects/Optimizer/IR/OptimizerOps.h"

#include "mlir/IR/Builders.h"

#include <memory>

namespace ipuc {
#define GEN_PASS_DEF_TRAININGSTEP
#include "compiler/Autodiff/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::autodiff;

namespace {
/// The op, its attributes and its state names for the pass options.
struct Rule {
  std::string opName;
  SmallVector<NamedAttribute> attrs;
  SmallVector<std::string> states;
  /// Lookahead's fast rule, whose state follows lookahead's own.
  std::shared_ptr<Rule> inner;
};

/// Builds `rule`'s update of `param` at the builder's insertion point and
/// appends the new state to `newState`. Returns the new parameter, scaled
/// by the learning rate `lrArg` when there is one (see lr-input).
Value createUpdate(OpBuilder &builder, Location loc, const Rule &rule,
                   Value param, Value grad, ValueRange state, Value lrArg,
                   SmallVectorImpl<Value> &newState) {
  OperationState op(loc, rule.opName);
  op.addOperands({param, grad});
  op.addOperands(state);
  op.addAttributes(rule.attrs);
  op.addTypes(param.getType());
  op.addTypes(state.getTypes());
  if (rule.inner) {
    // The fast rule, lr-scaled inside the body: lookahead's sync step is
    // not linear in the fast rule's learning rate.
    Block *body = new Block();
    op.addRegion()->push_back(body);
    SmallVector<Type> types = {param.getType(), grad.getType()};
    llvm::append_range(types, state.drop_front(2).getTypes());
    body->addArguments(types, SmallVector<Location>(types.size(), loc));
    // The region has no parent op yet, so the context comes from outside.
    OpBuilder inner(builder.getContext());
    inner.setInsertionPointToStart(body);
    SmallVector<Value> yielded;
    Value fast = createUpdate(
        inner, loc, *rule.inner, body->getArgument(0), body->getArgument(1),
        body->getArguments().drop_front(2), lrArg, yielded);
    yielded.insert(yielded.begin(), fast);
    inner.create<optimizer::YieldOp>(loc, yielded);
    Operation *update = builder.create(op);
    llvm::append_range(newState, update->getResults().drop_front());
    return update->getResult(0);
  }
  Operation *update = builder.create(op);
  llvm::append_range(newState, update->getResults().drop_front());
  Value next = update->getResult(0);
  if (!lrArg)
    return next;
  // p - lr * d, from the op's p - 1 * d (see the pass description).
  TosaBuild t(builder, loc);
  auto shaped = cast<RankedTensorType>(param.getType());
  SmallVector<int64_t> ones(shaped.getRank(), 1);
  Value rate = shaped.getRank() ? t.reshape(lrArg, ones) : lrArg;
  return t.add(param, t.mul(rate, t.sub(next, param)));
}

struct TrainingStepPass
    : public ipuc::impl::TrainingStepBase<TrainingStepPass> {
  using TrainingStepBase::TrainingStepBase;

  FailureOr<Rule> makeRule(Location loc) {
    if (optimizer != "lookahead")
      return makeBaseRule(loc, optimizer);
    if (lookaheadInner == "lookahead")
      return emitError(loc, "ipuc-training-step: lookahead-inner cannot be "
                            "lookahead itself");
    FailureOr<Rule> inner = makeBaseRule(loc, lookaheadInner);
    if (failed(inner))
      return failure();
    Builder b(&getContext());
    Rule rule;
    rule.opName = "optimizer.lookahead";
    rule.attrs = {b.getNamedAttr("k", b.getI64IntegerAttr(lookaheadK)),
                  b.getNamedAttr("alpha", b.getF64FloatAttr(lookaheadAlpha))};
    rule.states = {"lookahead_slow", "lookahead_step"};
    llvm::append_range(rule.states, inner->states);
    rule.inner = std::make_shared<Rule>(std::move(*inner));
    return rule;
  }

  /// Every rule but lookahead, by its --optimizer name.
  FailureOr<Rule> makeBaseRule(Location loc, StringRef name) {
    Builder b(&getContext());
    Rule rule;
    auto set = [&](StringRef attr, double value) {
      rule.attrs.push_back(b.getNamedAttr(attr, b.getF64FloatAttr(value)));
    };
    auto setIfGiven = [&](StringRef attr, double value) {
      if (value >= 0.0)
        set(attr, value);
    };
    auto setBool = [&](StringRef attr, bool value) {
      rule.attrs.push_back(b.getNamedAttr(attr, b.getBoolAttr(value)));
    };
    // With lr-input the op's own rate is 1; buildStep scales its step.
    setIfGiven("lr", lrInput ? 1.0 : lr.getValue());
    if (name == "sgd") {
      if (lr < 0.0 && !lrInput)
        return emitError(loc, "ipuc-training-step: sgd needs lr");
      rule.opName = "optimizer.sgd";
      set("momentum", momentum);
      set("dampening", dampening);
      setBool("nesterov", nesterov);
      if (momentum > 0.0)
        rule.states = {"momentum_buffer", "step"};
    } else if (name == "adam" || name == "adamw") {
      rule.opName = "optimizer.adam";
      set("beta1", beta1);
      set("beta2", beta2);
      setIfGiven("eps", eps);
      if (name == "adamw") {
        // torch.optim.AdamW's default decay, unlike Adam's 0.
        set("weight_decay", weightDecay >= 0.0 ? weightDecay : 0.01);
        setBool("decoupled", true);
      }
      rule.states = {"exp_avg", "exp_avg_sq", "step"};
    } else if (name == "adagrad") {
      rule.opName = "optimizer.adagrad";
      setIfGiven("eps", eps);
      set("lr_decay", lrDecay);
      rule.states = {"sum", "step"};
    } else if (name == "rmsprop") {
      rule.opName = "optimizer.rmsprop";
      setIfGiven("eps", eps);
      set("alpha", alpha);
      set("momentum", momentum);
      setBool("centered", centered);
      rule.states = {"square_avg"};
      if (momentum > 0.0)
        rule.states.push_back("momentum_buffer");
      if (centered)
        rule.states.push_back("grad_avg");
    } else if (name == "lamb") {
      rule.opName = "optimizer.lamb";
      set("beta1", beta1);
      set("beta2", beta2);
      setIfGiven("eps", eps);
      set("clamp_value", clampValue);
      setBool("debias", debias);
      rule.states = {"exp_avg", "exp_avg_sq", "step"};
    } else if (name == "learned") {
      rule.opName = "optimizer.learned";
      if (failed(autodiff::readLearnedWeights(loc, learnedWeights, rule.attrs)))
        return failure();
      // One momentum accumulator per decay (optimizer.learned's state).
      for (const NamedAttribute &attr : rule.attrs)
        if (attr.getName() == "decays")
          for (int64_t i = 0,
                       e = cast<DenseF64ArrayAttr>(attr.getValue()).size();
               i < e; ++i)
            rule.states.push_back("momentum_" + std::to_string(i));
    } else {
      return emitError(loc, "ipuc-training-step: unknown optimizer '")
             << name
             << "': expected sgd, adam, adamw, adagrad, rmsprop, lamb, "
                "lookahead or learned";
    }
    if (name != "adamw" && name != "learned")
      setIfGiven("weight_decay", weightDecay);
    return rule;
  }

  LogicalResult buildStep(func::FuncOp func, const Rule &rule) {
    SmallVector<unsigned> params = parameterIndices(func);
    if (params.empty())
      return success();
    if (failed(differentiate(func)))
      return failure();

    auto ret = cast<func::ReturnOp>(func.front().getTerminator());
    SmallVector<Value> grads(ret.getOperands().drop_front());
    if (clipGradNorm > 0.0) {
      OpBuilder builder(ret);
      clipByGlobalNorm(builder, ret.getLoc(), grads, clipGradNorm);
    }
    SmallVector<Value> results = {ret.getOperand(0)};
    SmallVector<Attribute> resultAttrs = {func.getResultAttrDict(0)};
    if (!resultAttrs[0])
      resultAttrs[0] = DictionaryAttr::get(&getContext());
    Builder b(&getContext());
    auto named = [&](const Twine &name) {
      return b.getDictionaryAttr(
          b.getNamedAttr(kNameAttr, b.getStringAttr(name)));
    };
    Type step = RankedTensorType::get({}, b.getF32Type());
    Value lrArg;
    if (lrInput) {
      func.insertArgument(func.getNumArguments(), step, named("lr"),
                          func.getLoc());
      lrArg = func.getArguments().back();
    }
    for (auto [param, grad] : llvm::zip_equal(params, grads)) {
      Value value = func.getArgument(param);
      std::string name = argumentName(func, param);
      Location loc = value.getLoc();
      SmallVector<Value> state;
      for (const std::string &s : rule.states) {
        Type type =
            s == "step" || s == "lookahead_step" ? step : value.getType();
        // State starts at zero (torch.optim's state, and Adagrad's default
        // initial_accumulator_value), lookahead's slow weights at the
        // parameter's initial value; the plan carries it for the loop.
        auto shaped = cast<RankedTensorType>(type);
        Attribute initial = DenseElementsAttr::get(
            shaped, b.getZeroAttr(shaped.getElementType()));
        if (s == "lookahead_slow") {
          initial = func.getArgAttr(param, kInitialAttr);
          if (!initial)
            return emitError(loc) << "ipuc-training-step: lookahead's slow "
                                     "weights start as the initial value of '"
                                  << name << "', which has no " << kInitialAttr
                                  << " attribute";
        }
        DictionaryAttr attrs = b.getDictionaryAttr(
            {b.getNamedAttr(kNameAttr, b.getStringAttr(name + "." + s)),
             b.getNamedAttr(kInitialAttr, initial),
             b.getNamedAttr(kStateOfAttr, b.getStringAttr(name))});
        func.insertArgument(func.getNumArguments(), type, attrs, loc);
        state.push_back(func.getArguments().back());
      }
      OpBuilder builder(ret);
      SmallVector<Value> newState;
      results.push_back(createUpdate(builder, loc, rule, value, grad, state,
                                     lrArg, newState));
      resultAttrs.push_back(named(name + ".next"));
      for (auto [s, result] : llvm::zip_equal(rule.states, newState)) {
        results.push_back(result);
        resultAttrs.push_back(named(name + "." + s + ".next"));
      }
    }
    OpBuilder(ret).create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    func.setFunctionType(
        FunctionType::get(&getContext(), func.getArgumentTypes(), types));
    func.setAllResultAttrs(resultAttrs);
    return success();
  }

  void runOnOperation() override {
    if (clipGradNorm != -1.0 && !(clipGradNorm > 0.0)) {
      emitError(getOperation().getLoc(),
                "ipuc-training-step: clip-grad-norm must be positive, got ")
          << clipGradNorm.getValue();
      return signalPassFailure();
    }
    FailureOr<Rule> rule = makeRule(getOperation().getLoc());
    if (failed(rule))
      return signalPassFailure();
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(buildStep(func, *rule)))
        return signalPassFailure();
  }
};
} // namespace
