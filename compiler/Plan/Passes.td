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
  let summary = "Fold matrix transposes into host matmul operands and cancel "
                "transpose pairs around elementwise ops";
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

    A transposed-operand matmul whose transposed operand is itself a matrix
    transpose (the autodiff's input gradient `g (W^T)^T` of `x W^T`) becomes
    the plain matmul of the transpose's source:

    ```mlir
    %t = linalg.transpose ins(%w : tensor<10x64xf32>)
           outs(%e : tensor<64x10xf32>) permutation = [1, 0]
    %r = linalg.matmul_transpose_b ins(%g, %t : tensor<8x10xf32>,
           tensor<64x10xf32>) ...
    // becomes
    %r = linalg.matmul ins(%g, %w : tensor<8x10xf32>, tensor<10x64xf32>) ...
    ```

    A transpose of an elementwise `linalg.generic` (its only use) whose
    operand is itself a transpose with the inverse permutation cancels with
    it: the generic is rebuilt in the outer transpose's layout and reads the
    inner transpose's source directly (the importer's NCHW <-> NHWC pair
    around a Relu between a Conv and a pool). Other operands are read through
    the permuted indexing map; nothing is rewritten unless a pair cancels.

    ```mlir
    %t = linalg.transpose ins(%y : tensor<2x4x4x8xf32>)
           outs(%e : tensor<2x8x4x4xf32>) permutation = [0, 3, 1, 2]
    %r = linalg.generic {...} ins(%t) outs(%e) { maximumf }
    %u = linalg.transpose ins(%r : tensor<2x8x4x4xf32>)
           outs(%f : tensor<2x4x4x8xf32>) permutation = [0, 2, 3, 1]
    // becomes
    %u = linalg.generic {...} ins(%y) outs(%f) { maximumf }
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def SinkHostTransposes
    : Pass<"ipuc-sink-host-transposes", "mlir::func::FuncOp"> {
  let summary = "Sink layout transposes through elementwise tosa ops to "
                "cancel them (the backward graph's NCHW ReLU gradients)";
  let description = [{
    For the host target only, on tosa before it is lowered. A
    `tosa.transpose` of an elementwise op (one whose operands all have the
    result's rank) is pushed down to that op's operands, recursively through
    further elementwise ops, when every leaf of the tree is a transpose with
    the inverse permutation (which then cancels), a splat constant or a
    tensor of unit dims, and at least one leaf cancels. Each op of the tree
    must have no other reader, except the root, whose other readers may be
    transposes (rewritten to read the new layout). Autodiff computes a ReLU's gradient between
    the importer's NCHW <-> NHWC transposes; after this it is computed in the
    NHWC layout of the convolution and pool around it, and no transpose is
    left.

    ```mlir
    %a = tosa.transpose %pool_grad, %to_nchw    // NHWC -> NCHW
    %b = tosa.transpose %conv, %to_nchw
    %m = tosa.greater_equal %b, %zero : (tensor<2x8x4x4xf32>, tensor<1x1x1x1xf32>) -> ...
    %c = tosa.cast %m
    %g = tosa.mul %a, %c {shift = 0 : i8}
    %r = tosa.transpose %g, %to_nhwc            // NCHW -> NHWC
    // becomes
    %m = tosa.greater_equal %conv, %zero : (tensor<2x4x4x8xf32>, tensor<1x1x1x1xf32>) -> ...
    %c = tosa.cast %m
    %r = tosa.mul %pool_grad, %c {shift = 0 : i8}
    ```
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect"];
}

def HostConvBackwardFilter
    : Pass<"ipuc-host-conv-backward-filter", "mlir::func::FuncOp"> {
  let summary = "Rewrite weight-gradient convolutions for the host's "
                "backward-filter kernel";
  let description = [{
    For the host target only. A float (f32/f64) `linalg.conv_2d_nhwc_fhwc`
    whose kernel window is larger than its output window, accumulating into
    zeros (the weight gradient autodiff writes as a conv of the transposed
    input by the transposed output gradient), becomes a `linalg.generic`
    marked `ipuc.conv_backward_filter` in the loop order (o, ky, kx, c, n,
    oy, ox) of the host's Conv2DBackwardFilter kernel, which runs it as one
    long-reduction GEMM per image. Transposes of its operands and of its
    result, and a slice of the result's leading rows, fold into the generic's
    indexing maps; the input is put into [n, h, w, c] order by its pad.
    Other convolutions are left alone.

    ```mlir
    %xt = linalg.transpose ins(%x : tensor<2x5x5x3xf32>)
            outs(%e0 : tensor<3x5x5x2xf32>) permutation = [3, 1, 2, 0]
    %gt = linalg.transpose ins(%g : tensor<2x4x4x8xf32>)
            outs(%e1 : tensor<8x4x4x2xf32>) permutation = [3, 1, 2, 0]
    %dw = linalg.conv_2d_nhwc_fhwc ins(%xt, %gt : ...) outs(%zeros : tensor<3x2x2x8xf32>)
    // becomes
    %dw = linalg.generic {ipuc.conv_backward_filter = array<i64: 1, 1, 1, 1>, ...}
            ins(%x, %g : tensor<2x5x5x3xf32>, tensor<2x4x4x8xf32>)
            outs(%zeros : tensor<3x2x2x8xf32>)
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def HostMaxPoolBackward
    : Pass<"ipuc-host-max-pool-backward", "mlir::func::FuncOp"> {
  let summary = "Rewrite max-pool gradients for the host's max-pool "
                "backward kernel";
  let description = [{
    For the host target only, after elementwise fusion. A float (f32/f64)
    all-parallel `linalg.generic` whose body is
    `((x == max ? 1 : 0) * grad) [* (mask >= 0 ? 1 : 0)]` (`arith.cmpf oeq`,
    `arith.uitofp`, `arith.mulf`; the max-pool gradient autodiff builds,
    fused with a ReLU's gradient), in which `max` and `grad` are broadcast
    over exactly two loops that `x` reads (the pool window), with four other
    loops of extent > 1, is rewritten into six loops (n, oh, ow, c, kh, kw):
    unit loops become the constant 0 in the indexing maps, the loops `max`
    and `grad` use come first in their order, then the two window loops. It
    is marked `ipuc.max_pool_backward`, which the host-plan emitter runs as
    the MaxPool2DBackward kernel when the operands' strides allow. Only
    loops are renamed: the generic computes what it did. Other generics are
    left alone.

    ```mlir
    %r = linalg.generic {indexing_maps = [
           affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4, d5, d6)>,
           affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d4, d6)>, ...],
           iterator_types = [7 x "parallel"]}
         ins(%x6, %max, %grad : tensor<1x2x2x3x2x4xf32>, ...) {
      %e = arith.cmpf oeq, %in, %in_0 : f32
      %f = arith.uitofp %e : i1 to f32
      %g = arith.mulf %f, %in_1 : f32
      linalg.yield %g : f32
    }
    // becomes
    %r = linalg.generic {indexing_maps = [
           affine_map<(d0, d1, d2, d3, d4, d5) -> (0, d0, d1, d4, d2, d5, d3)>,
           affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>, ...],
           iterator_types = [6 x "parallel"], ipuc.max_pool_backward} ...
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def HostConvBackwardData
    : Pass<"ipuc-host-conv-backward-data", "mlir::func::FuncOp"> {
  let summary = "Rewrite input-gradient convolutions for the host's "
                "backward-data kernel";
  let description = [{
    For the host target only. A float (f32/f64), stride-1
    `linalg.conv_2d_nhwc_fhwc` accumulating into zeros whose filter is a
    filter flipped in both spatial axes (two index-computing generics, as
    tosa-to-linalg lowers `tosa.reverse`) and transposed by [3, 1, 2, 0] --
    the input gradient autodiff writes -- becomes a `linalg.generic` marked
    `ipuc.conv_backward_data` (its dilations) in the loop order (n, y, x, c,
    ky, kx, o) that reads the unflipped [o, kh, kw, c] filter, the flip
    moved into the gradient's indexing map; the flips and the transpose
    become dead. The
    host-plan emitter runs it as the Conv2DBackwardData kernel, folding a
    zero pad of the gradient into it. Other convolutions are left alone.

    ```mlir
    %r1 = linalg.generic ... outs(%e : tensor<8x3x3x4xf32>) {  // w[o, 2 - ky, kx, c]
      ... tensor.extract %w[%o, %flipped_ky, %kx, %c] ...
    }
    %r2 = linalg.generic ... { ... tensor.extract %r1[%o, %ky, %flipped_kx, %c] ... }
    %ft = linalg.transpose ins(%r2 : tensor<8x3x3x4xf32>)
            outs(%e1 : tensor<4x3x3x8xf32>) permutation = [3, 1, 2, 0]
    %dx = linalg.conv_2d_nhwc_fhwc ins(%gpad, %ft : tensor<2x7x7x8xf32>, tensor<4x3x3x8xf32>)
            outs(%zeros : tensor<2x5x5x4xf32>)
    // becomes
    %dx = linalg.generic {ipuc.conv_backward_data = array<i64: 1, 1>, ...}
            ins(%gpad, %w : tensor<2x7x7x8xf32>, tensor<8x3x3x4xf32>)
            outs(%zeros : tensor<2x5x5x4xf32>)
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect"];
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
