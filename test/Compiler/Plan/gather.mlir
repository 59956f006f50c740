// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// A gather: the body reads a tensor defined outside the op with
// tensor.extract, which becomes an Extract from a captured tensor whose index
// registers are consecutive.
#map = affine_map<(d0, d1) -> (d0)>
#out = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%table: tensor<5x4xf32>, %ids: tensor<3xi64>) -> tensor<3x4xf32> {
  %e = tensor.empty() : tensor<3x4xf32>
  %g = linalg.generic {indexing_maps = [#map, #out], iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x4xf32>) {
  ^bb0(%id: i64, %o: f32):
    %row = arith.index_cast %id : i64 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<5x4xf32>
    linalg.yield %v : f32
  } -> tensor<3x4xf32>
  return %g : tensor<3x4xf32>
}

// CHECK: kernel 0 linalg.generic
// CHECK: in0 = %1[offset 0, strides [1, 0]]
// CHECK-NEXT: out0 = %2[offset 0, strides [4, 1]]
// CHECK-NEXT: captured [0]
// CHECK: r2 = ExtSI r0 : i64
// CHECK-NEXT: r3 = Index d1
// CHECK-NEXT: r4 = Extract captured0[r2, r3] : f32
// CHECK-NEXT: Yield out0 = r4
