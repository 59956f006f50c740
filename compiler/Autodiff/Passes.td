//===- Passes.td - Autodiff passes -------------------------*- tablegen -*-===//
#ifndef IPUC_COMPILER_AUTODIFF_PASSES
#define IPUC_COMPILER_AUTODIFF_PASSES

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"ipuc-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode gradients of a scalar loss at the graph level";
  let description = [{
    For every function with arguments marked `ipuc.param`, which must return
    one loss tensor of a single float element, appends to its results the
    gradient of the loss with respect to each marked argument, in argument
    order, named `grad_<argument name>`. The backward pass is built in tosa
    from one gradient rule per op (compiler/Autodiff/*Gradients.cpp), walking
    the function body in reverse and summing the gradients of values used
    more than once; ops that do not depend on a parameter, or whose results
    do not reach the loss, need no rule. An op that needs one and has none is
    an error located at that op, naming it.

    ```mlir
    func.func @main(%w: tensor<3xf32> {ipuc.name = "w", ipuc.param},
                    %x: tensor<3xf32>) -> tensor<1xf32> {
      %0 = tosa.mul %w, %x {shift = 0 : i8} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %1 = tosa.reduce_sum %0 {axis = 0 : i32} : (tensor<3xf32>) -> tensor<1xf32>
      return %1 : tensor<1xf32>
    }
    ```
    becomes a function returning `(%1, d%1/d%w)`, the latter equal to `%x`.
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect"];
}

def TrainingStep : Pass<"ipuc-training-step", "mlir::ModuleOp"> {
  let summary = "One training step: the loss's gradients, then an optimizer update of every parameter";
  let description = [{
    Runs `ipuc-autodiff` on every function with `ipuc.param` arguments, then
    updates each parameter with one `optimizer` op of the chosen rule. The
    rule's state tensors become new function arguments named
    `<param>.<state>` (e.g. `w.exp_avg`, `w.step`; zeros, or Adagrad's
    initial accumulator value, on the first step; `ipuc.state_of` names the
    parameter, for the plan's Training table) and the function returns
    the loss followed, per parameter, by `<param>.next` and
    `<param>.<state>.next`: a training loop feeds each `.next` output back
    into the input of the same name. Hyper-parameters left unset take
    torch.optim's defaults (AdamW's weight decay 0.01); SGD needs `lr`.
    `lamb` is torch-optimizer's Lamb. `lookahead` wraps the
    `lookahead-inner` rule; its own state `lookahead_slow` (starting as the
    parameter's initial value) and `lookahead_step` come before the inner
    rule's. `learned` is `optimizer.learned` with the MLP read from
    `learned-weights`; its state is one `momentum_<i>` per decay.

    With `lr-input`, the learning rate is instead a new argument, an f32
    scalar named `lr`, so that a loop can follow a schedule. Every rule's
    parameter update is `p - lr * d` with `d` and the new state independent
    of `lr` (torch.optim's SGD, Adam(W), Adagrad, RMSprop; LAMB, whose
    trust ratio does not depend on it; the learned rule), so the update op
    runs with lr = 1 and the step returns `p + lr * (update - p)`. Lookahead
    is not linear in `lr` (its sync step mixes the fast weights with the
    slow ones), so there the scaling is applied to the inner rule's fast
    parameter inside the lookahead body instead.

    With `clip-grad-norm=MAX`, the gradients are first scaled together by
    min(1, MAX / (norm + 1e-6)), norm being the L2 norm over all of them
    (torch.nn.utils.clip_grad_norm_).

    ```
    ipu-opt --ipuc-training-step="optimizer=adam lr=0.01" model.mlir
    ```
  }];
  let options = [
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd, adam, adamw, adagrad, rmsprop, lamb, lookahead or learned">,
    Option<"lr", "lr", "double", /*default=*/"-1.0",
           "Learning rate (default: the rule's torch.optim default)">,
    Option<"momentum", "momentum", "double", /*default=*/"0.0",
           "Momentum (sgd, rmsprop)">,
    Option<"dampening", "dampening", "double", /*default=*/"0.0",
           "Dampening of the momentum buffer (sgd)">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false",
           "Nesterov momentum (sgd)">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9",
           "beta1 (adam, adamw, lamb)">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999",
           "beta2 (adam, adamw, lamb)">,
    Option<"alpha", "alpha", "double", /*default=*/"0.99",
           "Smoothing constant of the squared-gradient average (rmsprop)">,
    Option<"centered", "centered", "bool", /*default=*/"false",
           "Normalise by the gradient's estimated variance (rmsprop)">,
    Option<"lrDecay", "lr-decay", "double", /*default=*/"0.0",
           "Learning rate decay (adagrad)">,
    Option<"clampValue", "clamp-value", "double", /*default=*/"10.0",
           "Clamp of the weight norm in the trust ratio (lamb)">,
    Option<"debias", "debias", "bool", /*default=*/"false",
           "Bias-correct the moments (lamb)">,
    Option<"lookaheadInner", "lookahead-inner", "std::string",
           /*default=*/"\"sgd\"",
           "The fast rule inside lookahead: sgd, adam, adamw, adagrad, "
           "rmsprop or lamb">,
    Option<"lookaheadK", "lookahead-k", "int64_t", /*default=*/"5",
           "Fast steps between two slow-weight updates (lookahead)">,
    Option<"lookaheadAlpha", "lookahead-alpha", "double", /*default=*/"0.5",
           "Slow weights' step towards the fast ones (lookahead)">,
    Option<"learnedWeights", "learned-weights", "std::string",
           /*default=*/"\"\"",
           "The .npz file holding the learned optimizer's MLP (learned; "
           "see optimizer.learned for the arrays)">,
    Option<"eps", "eps", "double", /*default=*/"-1.0",
           "Epsilon (default: the rule's torch.optim default)">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"-1.0",
           "Weight decay (default: 0, or 0.01 for adamw)">,
    Option<"lrInput", "lr-input", "bool", /*default=*/"false",
           "Read the learning rate from a new f32 scalar argument named "
           "`lr` (for a schedule the training loop computes per step)">,
    Option<"clipGradNorm", "clip-grad-norm", "double", /*default=*/"-1.0",
           "Scale all gradients by min(1, MAX / (global L2 norm + 1e-6)) "
           "before the updates, as torch.nn.utils.clip_grad_norm_ "
           "(default: no clipping)">,
  ];
  let dependentDialects = ["mlir::tosa::TosaDialect",
                           "ipuc::optimizer::OptimizerDialect"];
}

#endif // IPUC_COMPILER_AUTODIFF_PASSES
