// RUN: ipu-opt %s --ipuc-autodiff -split-input-file | FileCheck %s

// The loss stays the first result; one named gradient per parameter, in
// argument order. Inputs get no gradient, the seed is 1.
// CHECK-LABEL: func @main
// CHECK-SAME: (%[[W:.*]]: tensor<3xf32> {ipuc.name = "w", ipuc.param}, %[[X:.*]]: tensor<3xf32> {ipuc.name = "x"}, %[[B:.*]]: tensor<1xf32> {ipuc.name = "b", ipuc.param})
// CHECK-SAME: -> (tensor<1xf32> {ipuc.name = "loss"}, tensor<3xf32> {ipuc.name = "grad_w"}, tensor<1xf32> {ipuc.name = "grad_b"})
// CHECK: %[[MUL:.*]] = tosa.mul %[[W]], %[[X]]
// CHECK: %[[ADD:.*]] = tosa.add %[[MUL]], %[[B]]
// CHECK: %[[LOSS:.*]] = tosa.reduce_sum %[[ADD]]
// CHECK: %[[SEED:.*]] = "tosa.const"() <{value = dense<1.000000e+00> : tensor<1xf32>}>
// CHECK: %[[G:.*]] = tosa.tile %[[SEED]] {multiples = array<i64: 3>}
// The broadcast operand's gradient is summed back to its shape.
// CHECK: %[[GB:.*]] = tosa.reduce_sum %[[G]] {axis = 0 : i32}
// CHECK: %[[GW:.*]] = tosa.mul %[[G]], %[[X]]
// CHECK: return %[[LOSS]], %[[GW]], %[[GB]] : tensor<1xf32>, tensor<3xf32>, tensor<1xf32>
func.func @main(%w: tensor<3xf32> {ipuc.name = "w", ipuc.param}, %x: tensor<3xf32> {ipuc.name = "x"},
                %b: tensor<1xf32> {ipuc.name = "b", ipuc.param}) -> (tensor<1xf32> {ipuc.name = "loss"}) {
  %0 = tosa.mul %w, %x {shift = 0 : i8} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tosa.add %0, %b : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  %2 = tosa.reduce_sum %1 {axis = 0 : i32} : (tensor<3xf32>) -> tensor<1xf32>
  return %2 : tensor<1xf32>
}

// -----

// A value used twice gets the sum of both uses' gradients; ops on inputs
// only (the exp) need no rule and get no backward code.
// CHECK-LABEL: func @twice
// CHECK: %[[E:.*]] = tosa.exp %arg1
// CHECK: %[[SQ:.*]] = tosa.mul %arg0, %arg0
// CHECK: %[[T:.*]] = tosa.mul %[[SQ]], %[[E]]
// CHECK-NOT: tosa.exp
// CHECK: %[[G1:.*]] = tosa.mul %{{.*}}, %arg0
// CHECK: %[[G2:.*]] = tosa.mul %{{.*}}, %arg0
// CHECK: %[[SUM:.*]] = tosa.add %[[G1]], %[[G2]]
// CHECK: return %{{.*}}, %[[SUM]]
func.func @twice(%w: tensor<2xf32> {ipuc.param}, %x: tensor<2xf32>) -> tensor<1xf32> {
  %e = tosa.exp %x : (tensor<2xf32>) -> tensor<2xf32>
  %0 = tosa.mul %w, %w {shift = 0 : i8} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = tosa.mul %0, %e {shift = 0 : i8} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = tosa.reduce_sum %1 {axis = 0 : i32} : (tensor<2xf32>) -> tensor<1xf32>
  return %2 : tensor<1xf32>
}

// -----

// Unnamed parameters are named by position; a parameter the loss does not
// use has a zero gradient.
// CHECK-LABEL: func @unused
// CHECK-SAME: -> (tensor<1x1xf32>, tensor<2x2xf32> {ipuc.name = "grad_arg1"})
// CHECK: %[[Z:.*]] = "tosa.const"() <{value = dense<0.000000e+00> : tensor<2x2xf32>}>
// CHECK: return %arg0, %[[Z]]
func.func @unused(%x: tensor<1x1xf32>, %w: tensor<2x2xf32> {ipuc.param}) -> tensor<1x1xf32> {
  return %x : tensor<1x1xf32>
}

// -----

// Functions without parameters are left alone.
// CHECK-LABEL: func @inference
// CHECK-SAME: -> tensor<4xf32>
// CHECK-NEXT: return %arg0
func.func @inference(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
