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

#endif // IPUC_COMPILER_AUTODIFF_PASSES
