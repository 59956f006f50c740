// RUN: ipu-opt %s --split-input-file --ipuc-fold-host-transposes | FileCheck %s

// A transposed rhs (Gemm's transB) folds into matmul_transpose_b and the
// transpose disappears.
// CHECK-LABEL: func.func @rhs
// CHECK-SAME: (%[[X:.*]]: tensor<8x64xf32>, %[[W:.*]]: tensor<10x64xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul_transpose_b ins(%[[X]], %[[W]] : tensor<8x64xf32>, tensor<10x64xf32>)
func.func @rhs(%x: tensor<8x64xf32>, %w: tensor<10x64xf32>, %acc: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %e = tensor.empty() : tensor<64x10xf32>
  %t = linalg.transpose ins(%w : tensor<10x64xf32>) outs(%e : tensor<64x10xf32>) permutation = [1, 0]
  %r = linalg.matmul ins(%x, %t : tensor<8x64xf32>, tensor<64x10xf32>) outs(%acc : tensor<8x10xf32>) -> tensor<8x10xf32>
  return %r : tensor<8x10xf32>
}

// -----

// A transposed lhs of a batch matmul (a weight gradient) folds into
// batch_matmul_transpose_a; the transpose stays for its other reader.
// CHECK-LABEL: func.func @lhs_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x8x64xf32>, %[[G:.*]]: tensor<2x8x10xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[A]]
// CHECK: linalg.batch_matmul_transpose_a ins(%[[A]], %[[G]] : tensor<2x8x64xf32>, tensor<2x8x10xf32>)
// CHECK: return %{{.*}}, %[[T]]
func.func @lhs_batched(%a: tensor<2x8x64xf32>, %g: tensor<2x8x10xf32>, %acc: tensor<2x64x10xf32>) -> (tensor<2x64x10xf32>, tensor<2x64x8xf32>) {
  %e = tensor.empty() : tensor<2x64x8xf32>
  %t = linalg.transpose ins(%a : tensor<2x8x64xf32>) outs(%e : tensor<2x64x8xf32>) permutation = [0, 2, 1]
  %r = linalg.batch_matmul ins(%t, %g : tensor<2x64x8xf32>, tensor<2x8x10xf32>) outs(%acc : tensor<2x64x10xf32>) -> tensor<2x64x10xf32>
  return %r, %t : tensor<2x64x10xf32>, tensor<2x64x8xf32>
}

// -----

// Both operands transposed: linalg has no op for that, so only the lhs is
// folded and the rhs transpose remains.
// CHECK-LABEL: func.func @both
// CHECK-SAME: (%[[A:.*]]: tensor<64x8xf32>, %[[B:.*]]: tensor<10x64xf32>
// CHECK: %[[TB:.*]] = linalg.transpose ins(%[[B]]
// CHECK: linalg.matmul_transpose_a ins(%[[A]], %[[TB]] : tensor<64x8xf32>, tensor<64x10xf32>)
func.func @both(%a: tensor<64x8xf32>, %b: tensor<10x64xf32>, %acc: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %ea = tensor.empty() : tensor<8x64xf32>
  %ta = linalg.transpose ins(%a : tensor<64x8xf32>) outs(%ea : tensor<8x64xf32>) permutation = [1, 0]
  %eb = tensor.empty() : tensor<64x10xf32>
  %tb = linalg.transpose ins(%b : tensor<10x64xf32>) outs(%eb : tensor<64x10xf32>) permutation = [1, 0]
  %r = linalg.matmul ins(%ta, %tb : tensor<8x64xf32>, tensor<64x10xf32>) outs(%acc : tensor<8x10xf32>) -> tensor<8x10xf32>
  return %r : tensor<8x10xf32>
}

// -----

// Not folded: a permutation that moves the batch dimension (not a matrix
// transpose), and an integer matmul (the transposed ops have no cast).
// CHECK-LABEL: func.func @not_folded
// CHECK: linalg.transpose {{.*}} permutation = [1, 0, 2]
// CHECK: linalg.batch_matmul ins
// CHECK: linalg.transpose {{.*}} permutation = [1, 0]
// CHECK: linalg.matmul ins
// CHECK-NOT: transpose_a
// CHECK-NOT: transpose_b
func.func @not_folded(%a: tensor<8x2x64xf32>, %b: tensor<2x64x10xf32>, %acc: tensor<2x8x10xf32>,
                      %i: tensor<64x8xi32>, %j: tensor<64x10xi32>, %iacc: tensor<8x10xi32>) -> (tensor<2x8x10xf32>, tensor<8x10xi32>) {
  %e = tensor.empty() : tensor<2x8x64xf32>
  %t = linalg.transpose ins(%a : tensor<8x2x64xf32>) outs(%e : tensor<2x8x64xf32>) permutation = [1, 0, 2]
  %r = linalg.batch_matmul ins(%t, %b : tensor<2x8x64xf32>, tensor<2x64x10xf32>) outs(%acc : tensor<2x8x10xf32>) -> tensor<2x8x10xf32>
  %ei = tensor.empty() : tensor<8x64xi32>
  %ti = linalg.transpose ins(%i : tensor<64x8xi32>) outs(%ei : tensor<8x64xi32>) permutation = [1, 0]
  %ri = linalg.matmul ins(%ti, %j : tensor<8x64xi32>, tensor<64x10xi32>) outs(%iacc : tensor<8x10xi32>) -> tensor<8x10xi32>
  return %r, %ri : tensor<2x8x10xf32>, tensor<8x10xi32>
}

// -----

// The importer's tosa.matmul adds a unit batch dimension after Gemm's
// transpose: expand(transpose(w)) becomes expand(w) read transposed.
// CHECK-LABEL: func.func @through_unit_batch
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x64xf32>, %[[W:.*]]: tensor<10x64xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2]] output_shape [1, 10, 64]
// CHECK: linalg.batch_matmul_transpose_b ins(%[[X]], %[[E]] : tensor<1x8x64xf32>, tensor<1x10x64xf32>)
func.func @through_unit_batch(%x: tensor<1x8x64xf32>, %w: tensor<10x64xf32>, %acc: tensor<1x8x10xf32>) -> tensor<1x8x10xf32> {
  %e = tensor.empty() : tensor<64x10xf32>
  %t = linalg.transpose ins(%w : tensor<10x64xf32>) outs(%e : tensor<64x10xf32>) permutation = [1, 0]
  %x3 = tensor.expand_shape %t [[0, 1], [2]] output_shape [1, 64, 10] : tensor<64x10xf32> into tensor<1x64x10xf32>
  %r = linalg.batch_matmul ins(%x, %x3 : tensor<1x8x64xf32>, tensor<1x64x10xf32>) outs(%acc : tensor<1x8x10xf32>) -> tensor<1x8x10xf32>
  return %r : tensor<1x8x10xf32>
}

// -----

// A weight gradient x^T g ([in, out]) transposed into the weight's [out, in]
// layout through the importer's unit-batch collapse: the matmul swaps its
// operands, g^T x, and writes [out, in] directly into a fill of that shape.
// CHECK-LABEL: func.func @weight_gradient
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x64xf32>, %[[G:.*]]: tensor<1x8x10xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x10x64xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<1x10x64xf32>)
// CHECK: %[[M:.*]] = linalg.batch_matmul_transpose_a ins(%[[G]], %[[X]] : tensor<1x8x10xf32>, tensor<1x8x64xf32>) outs(%[[F]] : tensor<1x10x64xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[M]] {{\[}}[0, 1], [2]] : tensor<1x10x64xf32> into tensor<10x64xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[C]]
func.func @weight_gradient(%x: tensor<1x8x64xf32>, %g: tensor<1x8x10xf32>) -> tensor<10x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x10xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64x10xf32>) -> tensor<1x64x10xf32>
  %r = linalg.batch_matmul_transpose_a ins(%x, %g : tensor<1x8x64xf32>, tensor<1x8x10xf32>) outs(%acc : tensor<1x64x10xf32>) -> tensor<1x64x10xf32>
  %c = tensor.collapse_shape %r [[0, 1], [2]] : tensor<1x64x10xf32> into tensor<64x10xf32>
  %e2 = tensor.empty() : tensor<10x64xf32>
  %t = linalg.transpose ins(%c : tensor<64x10xf32>) outs(%e2 : tensor<10x64xf32>) permutation = [1, 0]
  return %t : tensor<10x64xf32>
}

// -----

// (A B^T)^T = B A^T for a 2-D matmul_transpose_b.
// CHECK-LABEL: func.func @transpose_b
// CHECK-SAME: (%[[A:.*]]: tensor<8x64xf32>, %[[B:.*]]: tensor<10x64xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul_transpose_b ins(%[[B]], %[[A]] : tensor<10x64xf32>, tensor<8x64xf32>) outs(%{{.*}} : tensor<10x8xf32>)
func.func @transpose_b(%a: tensor<8x64xf32>, %b: tensor<10x64xf32>) -> tensor<10x8xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x10xf32>
  %acc = linalg.fill ins(%one : f32) outs(%e : tensor<8x10xf32>) -> tensor<8x10xf32>
  %r = linalg.matmul_transpose_b ins(%a, %b : tensor<8x64xf32>, tensor<10x64xf32>) outs(%acc : tensor<8x10xf32>) -> tensor<8x10xf32>
  %e2 = tensor.empty() : tensor<10x8xf32>
  %t = linalg.transpose ins(%r : tensor<8x10xf32>) outs(%e2 : tensor<10x8xf32>) permutation = [1, 0]
  return %t : tensor<10x8xf32>
}

// -----

// Not swapped: the untransposed product is read elsewhere too, and an
// accumulator that is not a fill (it cannot be remade transposed).
// CHECK-LABEL: func.func @not_swapped
// CHECK: linalg.matmul_transpose_a ins(%arg0, %arg1
// CHECK: linalg.transpose
// CHECK: linalg.matmul_transpose_a ins(%arg0, %arg1
// CHECK: linalg.transpose
func.func @not_swapped(%a: tensor<8x64xf32>, %b: tensor<8x10xf32>, %acc2: tensor<64x10xf32>) -> (tensor<10x64xf32>, tensor<64x10xf32>, tensor<10x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x10xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<64x10xf32>) -> tensor<64x10xf32>
  %r = linalg.matmul_transpose_a ins(%a, %b : tensor<8x64xf32>, tensor<8x10xf32>) outs(%acc : tensor<64x10xf32>) -> tensor<64x10xf32>
  %e2 = tensor.empty() : tensor<10x64xf32>
  %t = linalg.transpose ins(%r : tensor<64x10xf32>) outs(%e2 : tensor<10x64xf32>) permutation = [1, 0]
  %r2 = linalg.matmul_transpose_a ins(%a, %b : tensor<8x64xf32>, tensor<8x10xf32>) outs(%acc2 : tensor<64x10xf32>) -> tensor<64x10xf32>
  %e3 = tensor.empty() : tensor<10x64xf32>
  %t2 = linalg.transpose ins(%r2 : tensor<64x10xf32>) outs(%e3 : tensor<10x64xf32>) permutation = [1, 0]
  return %t, %r, %t2 : tensor<10x64xf32>, tensor<64x10xf32>, tensor<10x64xf32>
}

// -----

// A transposed-operand matmul of a transpose is the plain matmul of its
// source (the autodiff's input gradient g (W^T)^T): 2-D with the rhs, 2-D
// with the lhs, and batched through the importer's unit-batch expand. The
// forward's transpose stays while something else reads it.
// CHECK-LABEL: func.func @transposes_cancel
// CHECK-SAME: (%[[G:.*]]: tensor<8x10xf32>, %[[W:.*]]: tensor<10x64xf32>, %[[A:.*]]: tensor<8x64xf32>, %[[C:.*]]: tensor<64x10xf32>, %[[G3:.*]]: tensor<1x8x10xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]]
// CHECK: linalg.matmul ins(%[[G]], %[[W]] : tensor<8x10xf32>, tensor<10x64xf32>)
// CHECK: linalg.matmul ins(%[[A]], %[[C]] : tensor<8x64xf32>, tensor<64x10xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2]] output_shape [1, 10, 64]
// CHECK: linalg.batch_matmul ins(%[[G3]], %[[E]] : tensor<1x8x10xf32>, tensor<1x10x64xf32>)
// CHECK-NOT: transpose_a
// CHECK-NOT: transpose_b
// CHECK: return {{.*}}, %[[T]]
func.func @transposes_cancel(%g: tensor<8x10xf32>, %w: tensor<10x64xf32>, %a: tensor<8x64xf32>, %c: tensor<64x10xf32>, %g3: tensor<1x8x10xf32>,
                             %acc: tensor<8x64xf32>, %acc2: tensor<8x10xf32>, %acc3: tensor<1x8x64xf32>)
    -> (tensor<8x64xf32>, tensor<8x10xf32>, tensor<1x8x64xf32>, tensor<64x10xf32>) {
  %e = tensor.empty() : tensor<64x10xf32>
  %t = linalg.transpose ins(%w : tensor<10x64xf32>) outs(%e : tensor<64x10xf32>) permutation = [1, 0]
  %r = linalg.matmul_transpose_b ins(%g, %t : tensor<8x10xf32>, tensor<64x10xf32>) outs(%acc : tensor<8x64xf32>) -> tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<64x8xf32>
  %ta = linalg.transpose ins(%a : tensor<8x64xf32>) outs(%e2 : tensor<64x8xf32>) permutation = [1, 0]
  %s = linalg.matmul_transpose_a ins(%ta, %c : tensor<64x8xf32>, tensor<64x10xf32>) outs(%acc2 : tensor<8x10xf32>) -> tensor<8x10xf32>
  %t3 = tensor.expand_shape %t [[0, 1], [2]] output_shape [1, 64, 10] : tensor<64x10xf32> into tensor<1x64x10xf32>
  %u = linalg.batch_matmul_transpose_b ins(%g3, %t3 : tensor<1x8x10xf32>, tensor<1x64x10xf32>) outs(%acc3 : tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  return %r, %s, %u, %t : tensor<8x64xf32>, tensor<8x10xf32>, tensor<1x8x64xf32>, tensor<64x10xf32>
}

// -----

// Not cancelled: the transposed operand is not a matrix transpose (the batch
// dimension moves), and an integer matmul.
// CHECK-LABEL: func.func @transposes_not_cancelled
// CHECK: linalg.transpose {{.*}} permutation = [1, 0, 2]
// CHECK: linalg.batch_matmul_transpose_b ins
// CHECK: linalg.transpose {{.*}} permutation = [1, 0]
// CHECK: linalg.matmul_transpose_b ins
func.func @transposes_not_cancelled(%g: tensor<2x8x10xf32>, %w: tensor<16x2x10xf32>, %acc: tensor<2x8x16xf32>,
                                    %gi: tensor<8x10xi32>, %wi: tensor<10x64xi32>, %acci: tensor<8x64xi32>)
    -> (tensor<2x8x16xf32>, tensor<8x64xi32>) {
  %e = tensor.empty() : tensor<2x16x10xf32>
  %t = linalg.transpose ins(%w : tensor<16x2x10xf32>) outs(%e : tensor<2x16x10xf32>) permutation = [1, 0, 2]
  %r = linalg.batch_matmul_transpose_b ins(%g, %t : tensor<2x8x10xf32>, tensor<2x16x10xf32>) outs(%acc : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %ei = tensor.empty() : tensor<64x10xi32>
  %ti = linalg.transpose ins(%wi : tensor<10x64xi32>) outs(%ei : tensor<64x10xi32>) permutation = [1, 0]
  %s = linalg.matmul_transpose_b ins(%gi, %ti : tensor<8x10xi32>, tensor<64x10xi32>) outs(%acci : tensor<8x64xi32>) -> tensor<8x64xi32>
  return %r, %s : tensor<2x8x16xf32>, tensor<8x64xi32>
}
