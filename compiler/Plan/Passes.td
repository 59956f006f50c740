//===- Passes.td - Host-plan emission passes ---------------*- tablegen -*-===//
//
// Passes that prepare fused linalg-on-tensors for host-plan emission and a
// test pass that prints the plan the emitter builds.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_PASSES
#define IPUC_COMPILER_PLAN_PASSES

include "mlir/Pass/PassBase.td"

def LegalizeHostPlan : Pass<"ipuc-legalize-host-plan", "mlir::ModuleOp"> {
  let summary = "Normalize linalg-on-tensors into the form the host-plan emitter accepts";
  let description = [{
    Folds constants (e.g. `tensor.from_elements` / `tensor.splat` of
    constants become dense constants) and then checks that every op of every
    function can be emitted as a host-plan kernel: linalg structured ops with
    static shapes, linear indexing maps and a scalar body of supported
    arith/math ops; `tensor` data movement with static offsets, sizes and
    strides; and constants. Anything else is an error located at the op that
    names it, so the emitter never meets an op it cannot translate.

    Example of an error:
    ```
    model.onnx: node 'g' (Foo): error: 'scf.for' is not supported by the host plan
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def FoldHostTransposes
    : Pass<"ipuc-fold-host-transposes", "mlir::func::FuncOp"> {
  let summary = "Fold matrix transposes into host matmul operands";
  let description = [{
    For the host target only (the ipu partitioner has no transposed matmul
    ops). A `linalg.transpose` that swaps the two matrix dimensions of a
    `linalg.matmul` / `linalg.batch_matmul` operand is folded into the op:
    it becomes `linalg.matmul_transpose_a/b` or
    `linalg.batch_matmul_transpose_a/b`, which the host MatMul kernel runs
    with Eigen's transposed view instead of copying. Only float matmuls of
    one element type are rewritten (the transposed ops have no cast
    attribute); when both operands are transposed only the lhs is folded.

    ```mlir
    %t = linalg.transpose ins(%w : tensor<10x64xf32>)
           outs(%e : tensor<64x10xf32>) permutation = [1, 0]
    %r = linalg.matmul ins(%x, %t : tensor<8x64xf32>, tensor<64x10xf32>) ...
    // becomes
    %r = linalg.matmul_transpose_b ins(%x, %w : tensor<8x64xf32>,
           tensor<10x64xf32>) ...
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def PrintHostPlan : Pass<"ipuc-print-host-plan", "mlir::ModuleOp"> {
  let summary = "Test pass: emit the host plan of the module and print it";
  let description = [{
    Runs the host-plan emitter on the (legalized) module, verifies the
    resulting FlatBuffer with the runtime's loader and prints it in the
    runtime's text form to stdout. The IR is left unchanged. Used by lit tests.
  }];
  let options = [
    Option<"source", "source", "std::string", /*default=*/"\"\"",
           "Source model path recorded in the plan header">,
  ];
}

#endif // IPUC_COMPILER_PLAN_PASSES
