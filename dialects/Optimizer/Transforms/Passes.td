//===- Passes.td - optimizer dialect passes ----------------*- tablegen -*-===//
#ifndef IPUC_DIALECT_OPTIMIZER_PASSES
#define IPUC_DIALECT_OPTIMIZER_PASSES

include "mlir/Pass/PassBase.td"

def LowerOptimizer : Pass<"ipuc-lower-optimizer"> {
  let summary = "Lower optimizer update rules to fused elementwise linalg";
  let description = [{
    Replaces every `optimizer` op by one `linalg.generic` over the
    parameter's elements that yields the new parameter and the new
    element-wise state, plus a 0-d `linalg.generic` that advances the step
    counter when the rule has one. That 0-d kernel also computes the rule's
    step-only scalars (Adam's `lr / (1 - beta1^t)` and `sqrt(1 - beta2^t)`,
    Adagrad's decayed rate, LAMB's trust ratio times its debiased step,
    SGD momentum's first-step and lookahead's sync flags as `i1`), which the
    per-element kernel reads as 0-d operands: the cost model charges a
    kernel's body once per element, so they are computed once per step
    rather than at every element. The scalar arithmetic follows
    torch.optim's order of operations; bias corrections are computed as
    `-expm1(t * log(beta))` with `log(beta)` folded in double precision,
    which keeps `1 - beta^t` accurate in f32 for `beta` near 1.

    ```mlir
    %p1 = optimizer.sgd %p, %g {lr = 1.0e-01 : f64} : tensor<4xf32>
    ```
    becomes a `linalg.generic` with body `p - 0.1 * g`.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::math::MathDialect",
                           "mlir::tensor::TensorDialect"];
}

#endif // IPUC_DIALECT_OPTIMIZER_PASSES
