// RUN: ipuc %s --emit=plan | FileCheck %s

// The whole host flow from tosa: one fused Generic kernel and a batch
// MatMul that starts from zero (its +0 accumulator fill needs no kernel),
// reshapes aliased, outputs named by ipuc.name.
func.func @main(%a: tensor<2x3xf32> {ipuc.name = "a"}, %b: tensor<1x3xf32> {ipuc.name = "b"},
                %w: tensor<1x3x4xf32> {ipuc.name = "w"}) -> (tensor<2x3xf32> {ipuc.name = "y"}, tensor<1x2x4xf32> {ipuc.name = "z"}) {
  %0 = tosa.add %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.exp %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = tosa.reshape %1 {new_shape = array<i64: 1, 2, 3>} : (tensor<2x3xf32>) -> tensor<1x2x3xf32>
  %m = tosa.matmul %r, %w : (tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  return %1, %m : tensor<2x3xf32>, tensor<1x2x4xf32>
}

// CHECK: plan version 1 schema
// CHECK: target host
// CHECK: device "gc200" chips 1 tiles 1472
// CHECK-DAG: input "a" = %0
// CHECK-DAG: input "b" = %1
// CHECK-DAG: input "w" = %2
// CHECK-DAG: output "y" = %[[Y:[0-9]+]]
// CHECK-DAG: output "z" = %[[Z:[0-9]+]]
// CHECK: linalg.generic
// CHECK: in0 = %0[offset 0, strides [3, 1]]
// CHECK-NEXT: in1 = %1[offset 0, strides [0, 1]]
// CHECK-NEXT: out0 = %[[Y]][offset 0, strides [3, 1]]
// CHECK: AddF
// CHECK-NEXT: Exp
// CHECK-NOT: linalg.fill
// CHECK: linalg.batch_matmul
// CHECK-NEXT: matmul %[[Z]] = %[[Y]] x %2 batch 1
