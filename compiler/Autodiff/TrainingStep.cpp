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
#include "compiler/Autodiff/Passes.h"
#include "compiler/Autodiff/TosaBuild.h"

#include "mlir/IR/Builders.h"

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
};

struct TrainingStepPass
    : public ipuc::impl::TrainingStepBase<TrainingStepPass> {
  using TrainingStepBase::TrainingStepBase;

  FailureOr<Rule> makeRule(Location loc) {
    Builder b(&getContext());
    Rule rule;
    auto set = [&](StringRef name, double value) {
      rule.attrs.push_back(b.getNamedAttr(name, b.getF64FloatAttr(value)));
    };
    auto setIfGiven = [&](StringRef name, double value) {
      if (value >= 0.0)
        set(name, value);
    };
    // With lr-input the op's own rate is 1; buildStep scales its step.
    setIfGiven("lr", lrInput ? 1.0 : lr.getValue());
    if (optimizer == "sgd") {
      if (lr < 0.0 && !lrInput)
        return emitError(loc, "ipuc-training-step: sgd needs lr");
      rule.opName = "optimizer.sgd";
      set("momentum", momentum);
      rule.attrs.push_back(b.getNamedAttr("nesterov", b.getBoolAttr(nesterov)));
      if (momentum > 0.0)
        rule.states = {"momentum_buffer", "step"};
    } else if (optimizer == "adam" || optimizer == "adamw") {
      rule.opName = "optimizer.adam";
      set("beta1", beta1);
      set("beta2", beta2);
      setIfGiven("eps", eps);
      if (optimizer == "adamw") {
        // torch.optim.AdamW's default decay, unlike Adam's 0.
        set("weight_decay", weightDecay >= 0.0 ? weightDecay : 0.01);
        rule.attrs.push_back(b.getNamedAttr("decoupled", b.getBoolAttr(true)));
      }
      rule.states = {"exp_avg", "exp_avg_sq", "step"};
    } else if (optimizer == "adagrad") {
      rule.opName = "optimizer.adagrad";
      setIfGiven("eps", eps);
      rule.states = {"sum", "step"};
    } else if (optimizer == "rmsprop") {
      rule.opName = "optimizer.rmsprop";
      setIfGiven("eps", eps);
      set("momentum", momentum);
      rule.states = {"square_avg"};
      if (momentum > 0.0)
        rule.states.push_back("momentum_buffer");
    } else {
      return emitError(loc, "ipuc-training-step: unknown optimizer '")
             << optimizer << "': expected sgd, adam, adamw, adagrad or rmsprop";
    }
    if (optimizer != "adamw")
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
      OperationState state(loc, rule.opName);
      state.addOperands({value, grad});
      state.addAttributes(rule.attrs);
      state.addTypes(value.getType());
      for (const std::string &s : rule.states) {
        Type type = s == "step" ? step : value.getType();
        // State starts at zero (torch.optim's state, and Adagrad's default
        // initial_accumulator_value); the plan carries it for the loop.
        auto shaped = cast<RankedTensorType>(type);
        DictionaryAttr attrs = b.getDictionaryAttr(
            {b.getNamedAttr(kNameAttr, b.getStringAttr(name + "." + s)),
             b.getNamedAttr(
                 kInitialAttr,
                 DenseElementsAttr::get(
                     shaped, b.getZeroAttr(shaped.getElementType())))});
        func.insertArgument(func.getNumArguments(), type, attrs, loc);
        state.addOperands(func.getArguments().back());
        state.addTypes(type);
      }
      OpBuilder builder(ret);
      Operation *update = builder.create(state);
      Value next = update->getResult(0);
      if (lrArg) {
        // p - lr * d, from the op's p - 1 * d (see the pass description).
        TosaBuild t(builder, loc);
        auto shaped = cast<RankedTensorType>(value.getType());
        SmallVector<int64_t> ones(shaped.getRank(), 1);
        Value rate = shaped.getRank() ? t.reshape(lrArg, ones) : lrArg;
        next = t.add(value, t.mul(rate, t.sub(next, value)));
      }
      results.push_back(next);
      resultAttrs.push_back(named(name + ".next"));
      for (auto [s, result] :
           llvm::zip_equal(rule.states, update->getResults().drop_front())) {
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
