// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --split-input-file %s | FileCheck %s
// The cases where a fill is still a compute set of fill vertices.

// A zero fill that an elementwise op also reads is materialized, once,
// before that op (the matmul still overwrites it rather than reading it).
// CHECK-LABEL: bsp.program @main
// CHECK: bsp.compute_set "linalg.matmul#4"
// CHECK-NOT: bsp.fill_vertex
// CHECK: bsp.compute_set "linalg.fill#3"
// CHECK-NEXT: bsp.fill_vertex {{.*}}value = 0.000000e+00 : f32
// CHECK-NOT: bsp.compute_set "linalg.fill
// CHECK: bsp.compute_set "linalg.generic#6"
func.func @main(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  %e2 = tensor.empty() : tensor<8x8xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %f : tensor<8x8xf32>, tensor<8x8xf32>) outs(%e2 : tensor<8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<8x8xf32>
  return %s : tensor<8x8xf32>
}

// -----

// A fill of another value is materialized where it is met.
// CHECK-LABEL: bsp.program @main
// CHECK: bsp.compute_set "linalg.fill#3"
// CHECK-NEXT: bsp.fill_vertex {{.*}}value = 1.000000e+00 : f32
func.func @main() -> tensor<8xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %f : tensor<8xf32>
}

// -----

// An integer matmul is no matmul-vertex op: its generic lowering reads the
// zero fill, which is then materialized before the generic compute set.
// CHECK-LABEL: bsp.program @main
// CHECK: bsp.compute_set "linalg.fill#3"
// CHECK-NEXT: bsp.fill_vertex {{.*}}value = 0 : i32
// CHECK: bsp.compute_set "linalg.matmul#4"
// CHECK-NEXT: bsp.generic_vertex
func.func @main(%a: tensor<4x4xi32>, %b: tensor<4x4xi32>) -> tensor<4x4xi32> {
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<4x4xi32>
  %f = linalg.fill ins(%z : i32) outs(%e : tensor<4x4xi32>) -> tensor<4x4xi32>
  %m = linalg.matmul ins(%a, %b : tensor<4x4xi32>, tensor<4x4xi32>) outs(%f : tensor<4x4xi32>) -> tensor<4x4xi32>
  return %m : tensor<4x4xi32>
}
