// RUN: ipu-opt %s --ipuc-legalize-host-plan | FileCheck %s

// Constants built from scalar constants are folded into dense constants the
// emitter can embed; supported IR is otherwise left alone.
// CHECK-LABEL: func.func @main
func.func @main(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<3xi32>) {
  %a = arith.constant 1.0 : f32
  %b = arith.constant 2.0 : f32
  // CHECK-DAG: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK-DAG: arith.constant dense<7> : tensor<3xi32>
  // CHECK-NOT: tensor.from_elements
  // CHECK-NOT: tensor.splat
  %t = tensor.from_elements %a, %b : tensor<2xf32>
  %c = arith.constant 7 : i32
  %s = tensor.splat %c : tensor<3xi32>
  %e = tensor.empty() : tensor<2xf32>
  // CHECK: linalg.add
  %r = linalg.add ins(%x, %t : tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  return %r, %s : tensor<2xf32>, tensor<3xi32>
}
