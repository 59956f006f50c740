//===- OptimizerOps.td - optimizer dialect ops -------------*- tablegen -*-===//
//
// Every op has the same shape: `param`, `grad` and a rule-specific list of
// `state` tensors in; the updated parameter and state (in the same order)
// out. Result types are inferred from the operands, so the assembly names
// each type once. Hyper-parameters are f64 attributes, as torch.optim keeps
// them as Python floats, with torch.optim's defaults.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECT_OPTIMIZER_OPS
#define IPUC_DIALECT_OPTIMIZER_OPS

include "OptimizerDialect.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Optimizer_UpdateOp<string mnemonic, list<Trait> traits = []>
    : Optimizer_Op<mnemonic, traits # [Pure,
        AllTypesMatch<["param", "grad", "new_param"]>,
        DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let results = (outs RankedTensorOf<[AnyFloat]>:$new_param,
                      Variadic<AnyRankedTensor>:$new_state);
  let assemblyFormat = [{
    $param `,` $grad (`state` `(` $state^ `:` type($state) `)`)? attr-dict
    `:` type($param)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The names of the state tensors this op's attributes call for, in
    /// operand order; "step" is a 0-d f32 step counter, the others have the
    /// parameter's type.
    ::llvm::SmallVector<::llvm::StringRef> getStateNames();
  }];
}

def Optimizer_SgdOp : Optimizer_UpdateOp<"sgd"> {
  let summary = "Stochastic gradient descent with momentum (torch.optim.SGD)";
  let description = [{
    With `g = grad + weight_decay * param`:
    without momentum, `param - lr * g`, and no state. With `momentum > 0`,
    the state is `(momentum_buffer, step)`; the buffer becomes `g` on the
    first step (`step == 0`, as torch creates it from the first gradient) and
    `momentum * buf + (1 - dampening) * g` afterwards; the update is
    `param - lr * buf`, or `param - lr * (g + momentum * buf)` with
    `nesterov`, which needs `dampening == 0`.

    ```mlir
    %p1, %buf1, %step1 = optimizer.sgd %p, %g
        state(%buf, %step : tensor<4x3xf32>, tensor<f32>)
        {lr = 1.0e-01 : f64, momentum = 9.0e-01 : f64, nesterov = true}
        : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       F64Attr:$lr,
                       DefaultValuedAttr<F64Attr, "0.0">:$momentum,
                       DefaultValuedAttr<F64Attr, "0.0">:$dampening,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<BoolAttr, "false">:$nesterov);
}

def Optimizer_AdamOp : Optimizer_UpdateOp<"adam"> {
  let summary = "Adam and AdamW (torch.optim.Adam, torch.optim.AdamW)";
  let description = [{
    The state is `(exp_avg, exp_avg_sq, step)`. With `t = step + 1`:
    `m = beta1 * m + (1 - beta1) * g`, `v = beta2 * v + (1 - beta2) * g * g`,
    `param - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.
    Without `decoupled` (Adam), `g = grad + weight_decay * param`; with it
    (AdamW), `g = grad` and the parameter is first scaled by
    `1 - lr * weight_decay`. Note that torch's AdamW defaults
    `weight_decay` to 0.01 where Adam defaults it to 0; this op's default
    is 0 for both, so an AdamW rule states its decay.

    ```mlir
    %p1, %m1, %v1, %t1 = optimizer.adam %p, %g
        state(%m, %v, %t : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
        {lr = 1.0e-03 : f64, weight_decay = 1.0e-02 : f64, decoupled = true}
        : tensor<8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       DefaultValuedAttr<F64Attr, "1.0e-3">:$lr,
                       DefaultValuedAttr<F64Attr, "0.9">:$beta1,
                       DefaultValuedAttr<F64Attr, "0.999">:$beta2,
                       DefaultValuedAttr<F64Attr, "1.0e-8">:$eps,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<BoolAttr, "false">:$decoupled);
}

def Optimizer_AdagradOp : Optimizer_UpdateOp<"adagrad"> {
  let summary = "Adagrad (torch.optim.Adagrad)";
  let description = [{
    The state is `(sum, step)`; torch's `initial_accumulator_value` is the
    initial value of `sum`. With `t = step + 1` and
    `g = grad + weight_decay * param`: `sum = sum + g * g`,
    `param - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)`.

    ```mlir
    %p1, %s1, %t1 = optimizer.adagrad %p, %g
        state(%s, %t : tensor<8xf32>, tensor<f32>) {lr = 1.0e-02 : f64}
        : tensor<8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       DefaultValuedAttr<F64Attr, "1.0e-2">:$lr,
                       DefaultValuedAttr<F64Attr, "0.0">:$lr_decay,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<F64Attr, "1.0e-10">:$eps);
}

def Optimizer_RmspropOp : Optimizer_UpdateOp<"rmsprop"> {
  let summary = "RMSprop (torch.optim.RMSprop)";
  let description = [{
    The state is `(square_avg)`, then `momentum_buffer` if `momentum > 0`,
    then `grad_avg` if `centered`. With `g = grad + weight_decay * param`:
    `sq = alpha * sq + (1 - alpha) * g * g`; centered,
    `ga = alpha * ga + (1 - alpha) * g` and `avg = sqrt(sq - ga * ga) + eps`,
    otherwise `avg = sqrt(sq) + eps`. With momentum,
    `buf = momentum * buf + g / avg` and `param - lr * buf`; without,
    `param - lr * g / avg`.

    ```mlir
    %p1, %sq1, %buf1 = optimizer.rmsprop %p, %g
        state(%sq, %buf : tensor<8xf32>, tensor<8xf32>)
        {lr = 1.0e-02 : f64, momentum = 9.0e-01 : f64} : tensor<8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       DefaultValuedAttr<F64Attr, "1.0e-2">:$lr,
                       DefaultValuedAttr<F64Attr, "0.99">:$alpha,
                       DefaultValuedAttr<F64Attr, "1.0e-8">:$eps,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<F64Attr, "0.0">:$momentum,
                       DefaultValuedAttr<BoolAttr, "false">:$centered);
}

def Optimizer_LambOp : Optimizer_UpdateOp<"lamb"> {
  let summary = "LAMB (You et al., 2019, as torch-optimizer's Lamb)";
  let description = [{
    Adam's moments with a per-tensor trust ratio. The state is
    `(exp_avg, exp_avg_sq, step)`; with `t = step + 1`:
    `m = beta1 * m + (1 - beta1) * grad`,
    `v = beta2 * v + (1 - beta2) * grad * grad`,
    `u = m / (sqrt(v) + eps) + weight_decay * param`. The trust ratio is
    `min(||param||, clamp_value) / ||u||` over the whole tensor (1 when
    either norm is 0), and the update `param - lr * trust * u`; with
    `debias` the learning rate is first scaled by
    `sqrt(1 - beta2^t) / (1 - beta1^t)` (the paper's v3 does not debias,
    nor does torch-optimizer by default). torch has no LAMB; the parity test
    compares with a NumPy transcription of torch-optimizer's `Lamb.step`.

    ```mlir
    %p1, %m1, %v1, %t1 = optimizer.lamb %p, %g
        state(%m, %v, %t : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
        {lr = 1.0e-02 : f64, weight_decay = 1.0e-02 : f64} : tensor<8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       DefaultValuedAttr<F64Attr, "1.0e-3">:$lr,
                       DefaultValuedAttr<F64Attr, "0.9">:$beta1,
                       DefaultValuedAttr<F64Attr, "0.999">:$beta2,
                       DefaultValuedAttr<F64Attr, "1.0e-6">:$eps,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<F64Attr, "10.0">:$clamp_value,
                       DefaultValuedAttr<BoolAttr, "false">:$debias);
}

def Optimizer_LearnedOp : Optimizer_UpdateOp<"learned"> {
  let summary = "A learned optimizer: a per-parameter MLP (Metz et al., 2022)";
  let description = [{
    The small per-parameter MLP of learned optimizers such as Metz et al.,
    "Practical tradeoffs between memory, compute, and performance in
    learned optimizers" (2022), and its use in VeLO: every element of the
    parameter is updated by the same MLP applied to that element's
    features. The state is one momentum accumulator per entry of `decays`
    (`momentum_0`, `momentum_1`, ...; zeros at first, like Adam's
    moments). With `D = len(decays)` and `F = 2 + D`:

    1. `m_i = decays[i] * m_i + (1 - decays[i]) * grad` for each i;
    2. the features are `f = (grad, param, m_0, ..., m_{D-1})`, each
       normalised by its RMS over the whole tensor:
       `f_j / sqrt(mean(f_j * f_j) + eps)` (the second-moment normaliser of
       learned_optimization);
    3. `h = relu(f . w1 + b1)` with `w1 : [F, H]`, `b1 : [H]`, then
       `(d, s) = h . w2 + b2` with `w2 : [H, 2]`, `b2 : [2]`: a direction
       `d` and a log-magnitude `s`;
    4. `param - lr * d * exp(mag_scale * s)`.

    `lr` and `mag_scale` are the step and exponent multipliers (0.001 each
    by default, as in learned_optimization's MLP optimizer). The MLP's
    weights are f32 attributes, so they are constants of the plan; `ipuc
    --optimizer=learned --learned-weights=FILE.npz` reads them from the
    arrays `decays`, `w1`, `b1`, `w2` and `b2` (and `mag_scale`, a scalar,
    if the file has it). The parameter's shape must
    be static (the means divide by its element count).

    ```mlir
    %p1, %m1 = optimizer.learned %p, %g state(%m : tensor<4xf32>)
        {decays = array<f64: 0.9>, lr = 1.0e-02 : f64,
         w1 = dense<[[1.0, -1.0], [0.0, 0.0], [1.0, -1.0]]> : tensor<3x2xf32>,
         b1 = dense<0.0> : tensor<2xf32>,
         w2 = dense<[[1.0, 0.0], [-1.0, 0.0]]> : tensor<2x2xf32>,
         b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       DenseF64ArrayAttr:$decays,
                       FloatElementsAttr<32>:$w1,
                       FloatElementsAttr<32>:$b1,
                       FloatElementsAttr<32>:$w2,
                       FloatElementsAttr<32>:$b2,
                       DefaultValuedAttr<F64Attr, "1.0e-3">:$lr,
                       DefaultValuedAttr<F64Attr, "1.0e-3">:$mag_scale,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$eps);
}

def Optimizer_LookaheadOp : Optimizer_Op<"lookahead", [Pure, SingleBlock,
    AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "Lookahead (Zhang et al., 2019) around any other rule";
  let description = [{
    The body is the inner ("fast") rule: it takes the parameter, the
    gradient and the inner rule's state and yields the fast parameter and
    the new inner state. The op's state is `(slow, step)` followed by the
    inner state; `slow` starts as the initial parameter. With
    `t = step + 1`, every `k`-th step (`t % k == 0`) the slow weights move
    `slow + alpha * (fast - slow)` and the parameter becomes them; on the
    other steps the parameter is the fast one and `slow` is unchanged.

    ```mlir
    %p1, %slow1, %t1 = optimizer.lookahead %p, %g
        state(%slow, %t : tensor<8xf32>, tensor<f32>)
        {k = 5 : i64, alpha = 5.0e-01 : f64} : tensor<8xf32> {
    ^bb0(%fp: tensor<8xf32>, %fg: tensor<8xf32>):
      %f = optimizer.sgd %fp, %fg {lr = 1.0e-01 : f64} : tensor<8xf32>
      optimizer.yield %f : tensor<8xf32>
    }
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<AnyRankedTensor>:$state,
                       DefaultValuedAttr<I64Attr, "5">:$k,
                       DefaultValuedAttr<F64Attr, "0.5">:$alpha);
  let results = (outs RankedTensorOf<[AnyFloat]>:$new_param,
                      Variadic<AnyRankedTensor>:$new_state);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $param `,` $grad `state` `(` $state `:` type($state) `)` attr-dict
    `:` type($param) `->` type($new_state) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Optimizer_CustomOp : Optimizer_Op<"custom", [Pure, AttrSizedOperandSegments,
    SingleBlock, InferTypeOpAdaptor,
    AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "An elementwise update rule written by hand as a region";
  let description = [{
    A rule the named ops do not cover, written as the scalar body of one
    element: the block takes the element of `param`, of `grad` and of each
    `state` tensor (all of the parameter's type), then the value of each
    0-d `scalars` tensor (run-time hyper-parameters such as a learning rate
    or step count, of the parameter's element type), and yields the new
    parameter element followed by the new element of each state tensor.
    The body holds only `arith` and `math` ops, so the rule is elementwise
    by construction and `ipuc-lower-optimizer` turns it into one
    `linalg.generic` with the body cloned in. The scalars are read, not
    updated. ONNX's `ai.onnx.preview.training` Adam, Momentum and Adagrad
    import as custom rules (their arithmetic, step and learning-rate inputs
    differ from torch.optim's).

    ```mlir
    %p1, %v1 = optimizer.custom %p, %g state(%v : tensor<4xf32>)
        scalars(%lr : tensor<f32>) : tensor<4xf32> {
    ^bb0(%pe: f32, %ge: f32, %ve: f32, %lre: f32):
      %c = arith.constant 9.0e-01 : f32
      %m = arith.mulf %c, %ve : f32
      %v = arith.addf %m, %ge : f32
      %d = arith.mulf %lre, %v : f32
      %np = arith.subf %pe, %d : f32
      optimizer.yield %np, %v : f32, f32
    }
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$param,
                       RankedTensorOf<[AnyFloat]>:$grad,
                       Variadic<RankedTensorOf<[AnyFloat]>>:$state,
                       Variadic<0DTensorOf<[AnyFloat]>>:$scalars);
  let results = (outs RankedTensorOf<[AnyFloat]>:$new_param,
                      Variadic<RankedTensorOf<[AnyFloat]>>:$new_state);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $param `,` $grad (`state` `(` $state^ `:` type($state) `)`)?
    (`scalars` `(` $scalars^ `:` type($scalars) `)`)? attr-dict
    `:` type($param) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Optimizer_YieldOp : Optimizer_Op<"yield", [Pure, Terminator,
    ParentOneOf<["CustomOp", "LookaheadOp"]>]> {
  let summary = "The new parameter and state of a custom or inner rule";
  let description = [{
    Element scalars in an `optimizer.custom` body, tensors in an
    `optimizer.lookahead` body.
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

#endif // IPUC_DIALECT_OPTIMIZER_OPS
