// RUN: ipu-opt %s --ipuc-host-pipeline | FileCheck %s
// RUN: ipuc %s --emit=linalg | FileCheck %s

// tosa lowers to linalg and elementwise chains fuse into one generic; a
// matmul stays a named op and the tosa.const becomes an arith.constant.
func.func @main(%a: tensor<2x3xf32> {ipuc.name = "a"}, %b: tensor<1x3xf32> {ipuc.name = "b"},
                %w: tensor<1x3x4xf32>) -> (tensor<2x3xf32> {ipuc.name = "y"}, tensor<1x2x4xf32>) {
  %0 = tosa.add %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.exp %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = tosa.clamp %1 {min_fp = 0.0 : f32, max_fp = 6.0 : f32, min_int = 0 : i64, max_int = 6 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = tosa.reshape %2 {new_shape = array<i64: 1, 2, 3>} : (tensor<2x3xf32>) -> tensor<1x2x3xf32>
  %m = tosa.matmul %r, %w : (tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  return %2, %m : tensor<2x3xf32>, tensor<1x2x4xf32>
}

// CHECK-LABEL: func.func @main
// CHECK-SAME: {ipuc.name = "a"}
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.minimumf
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: linalg.batch_matmul
// CHECK-NOT: tosa.
