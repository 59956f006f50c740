//===- OptimizerDialect.td - The optimizer dialect ---------*- tablegen -*-===//
//
// Parameter update rules of a training step (DESIGN.md sections 1 and 2).
// Each op is one update step of one parameter tensor: it takes the parameter,
// its gradient and the rule's state tensors and returns the updated
// parameter and state, so the state is owned by the op's operands and results
// rather than hidden in the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECT_OPTIMIZER_DIALECT
#define IPUC_DIALECT_OPTIMIZER_DIALECT

include "mlir/IR/OpBase.td"

def Optimizer_Dialect : Dialect {
  let name = "optimizer";
  let cppNamespace = "::ipuc::optimizer";
  let summary = "Optimizer update rules that own their state tensors";
  let description = [{
    One op per update rule of PyTorch's `torch.optim` (SGD, Adam/AdamW,
    Adagrad, RMSprop), with the same hyper-parameters, defaults and
    arithmetic, plus LAMB (as torch-optimizer defines it), Lookahead
    around any other rule and a learned optimizer (a per-parameter MLP
    whose weights are attributes). An op maps `(param, grad, state...)` to
    `(new_param, new_state...)`; the state tensors a rule needs (momentum
    buffers, moment estimates, a step counter) are listed in each op's
    description. `ipuc-lower-optimizer` lowers every op to fused
    elementwise `linalg.generic`s (plus per-tensor sum-of-squares
    reductions for LAMB's norms and the learned rule's normalisation), so
    the update runs wherever the parameter lives. `optimizer.custom` holds any other elementwise rule as a region
    (ONNX's `ai.onnx.preview.training` optimizers import as custom rules).

    ```mlir
    %p1 = optimizer.sgd %p, %g {lr = 1.0e-01 : f64} : tensor<4xf32>
    ```
  }];
}

class Optimizer_Op<string mnemonic, list<Trait> traits = []>
    : Op<Optimizer_Dialect, mnemonic, traits>;

#endif // IPUC_DIALECT_OPTIMIZER_DIALECT
