// RUN: ipu-opt %s --split-input-file --ipuc-sink-host-transposes | FileCheck %s

// Autodiff's ReLU gradient between the importer's transposes: the outer
// NCHW -> NHWC transpose sinks through mul, cast and greater_equal, cancels
// both inner NHWC -> NCHW transposes, and the unit-dim zero stays as it is.
// CHECK-LABEL: func.func @relu_gradient
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x4x8xf32>, %[[Y:.*]]: tensor<2x4x4x8xf32>)
// CHECK-NOT: tosa.transpose
// CHECK: %[[Z:.*]] = "tosa.const"() <{value = dense<0.000000e+00> : tensor<1x1x1x1xf32>}>
// CHECK: %[[M:.*]] = tosa.greater_equal %[[Y]], %[[Z]] : (tensor<2x4x4x8xf32>, tensor<1x1x1x1xf32>) -> tensor<2x4x4x8xi1>
// CHECK: %[[C:.*]] = tosa.cast %[[M]] : (tensor<2x4x4x8xi1>) -> tensor<2x4x4x8xf32>
// CHECK: %[[R:.*]] = tosa.mul %[[G]], %[[C]] {shift = 0 : i8} : (tensor<2x4x4x8xf32>, tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32>
// CHECK-NOT: tosa.transpose
// CHECK: return %[[R]]
func.func @relu_gradient(%g: tensor<2x4x4x8xf32>, %y: tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32> {
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %zero = "tosa.const"() <{value = dense<0.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %a = tosa.transpose %g, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %b = tosa.transpose %y, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %m = tosa.greater_equal %b, %zero : (tensor<2x8x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<2x8x4x4xi1>
  %c = tosa.cast %m : (tensor<2x8x4x4xi1>) -> tensor<2x8x4x4xf32>
  %p = tosa.mul %a, %c {shift = 0 : i8} : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %r = tosa.transpose %p, %to_nhwc : (tensor<2x8x4x4xf32>, tensor<4xi32>) -> tensor<2x4x4x8xf32>
  return %r : tensor<2x4x4x8xf32>
}

// -----

// The root's other reader is a transpose of the old layout: the weight
// gradient's [1, 2, 3, 0] view of the NCHW gradient becomes a [3, 1, 2, 0]
// view of the NHWC one. A splat that is not unit-shaped is rebuilt in the
// new shape.
// CHECK-LABEL: func.func @other_readers
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x4x8xf32>)
// CHECK-DAG: %[[P:.*]] = "tosa.const"() <{value = dense<[3, 1, 2, 0]> : tensor<4xi32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{value = dense<2.500000e-01> : tensor<2x4x4x8xf32>}>
// CHECK: %[[R:.*]] = tosa.mul %[[G]], %[[S]] {shift = 0 : i8} : (tensor<2x4x4x8xf32>, tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32>
// CHECK: %[[W:.*]] = tosa.transpose %[[R]], %[[P]] : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<8x4x4x2xf32>
// CHECK: return %[[R]], %[[W]]
func.func @other_readers(%g: tensor<2x4x4x8xf32>) -> (tensor<2x4x4x8xf32>, tensor<8x4x4x2xf32>) {
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %weight_view = "tosa.const"() <{value = dense<[1, 2, 3, 0]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %quarter = "tosa.const"() <{value = dense<0.25> : tensor<2x8x4x4xf32>}> : () -> tensor<2x8x4x4xf32>
  %a = tosa.transpose %g, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %p = tosa.mul %a, %quarter {shift = 0 : i8} : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %r = tosa.transpose %p, %to_nhwc : (tensor<2x8x4x4xf32>, tensor<4xi32>) -> tensor<2x4x4x8xf32>
  %w = tosa.transpose %p, %weight_view : (tensor<2x8x4x4xf32>, tensor<4xi32>) -> tensor<8x4x4x2xf32>
  return %r, %w : tensor<2x4x4x8xf32>, tensor<8x4x4x2xf32>
}

// -----

// Negative: the elementwise result is also returned in its own layout, so
// sinking would compute it twice; nothing changes.
// CHECK-LABEL: func.func @returned
// CHECK: tosa.transpose %{{.*}} -> tensor<2x8x4x4xf32>
// CHECK: tosa.mul %{{.*}}, %{{.*}} {shift = 0 : i8} : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>)
// CHECK: tosa.transpose %{{.*}} -> tensor<2x4x4x8xf32>
func.func @returned(%g: tensor<2x4x4x8xf32>, %h: tensor<2x8x4x4xf32>) -> (tensor<2x4x4x8xf32>, tensor<2x8x4x4xf32>) {
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %a = tosa.transpose %g, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %p = tosa.mul %a, %h {shift = 0 : i8} : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %r = tosa.transpose %p, %to_nhwc : (tensor<2x8x4x4xf32>, tensor<4xi32>) -> tensor<2x4x4x8xf32>
  return %r, %p : tensor<2x4x4x8xf32>, tensor<2x8x4x4xf32>
}

// -----

// Negative: the second operand is an NCHW tensor that no transpose produced;
// sinking would need a new copy of it, so nothing changes.
// CHECK-LABEL: func.func @needs_a_copy
// CHECK: tosa.transpose %{{.*}} -> tensor<2x8x4x4xf32>
// CHECK: tosa.mul %{{.*}}, %{{.*}} {shift = 0 : i8} : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>)
// CHECK: tosa.transpose %{{.*}} -> tensor<2x4x4x8xf32>
func.func @needs_a_copy(%g: tensor<2x4x4x8xf32>, %h: tensor<2x8x4x4xf32>) -> tensor<2x4x4x8xf32> {
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %a = tosa.transpose %g, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %p = tosa.mul %a, %h {shift = 0 : i8} : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %r = tosa.transpose %p, %to_nhwc : (tensor<2x8x4x4xf32>, tensor<4xi32>) -> tensor<2x4x4x8xf32>
  return %r : tensor<2x4x4x8xf32>
}

// -----

// Negative: the inner transpose is not the inverse of the outer one.
// CHECK-LABEL: func.func @not_inverse
// CHECK-COUNT-2: tosa.transpose
func.func @not_inverse(%g: tensor<2x4x4x8xf32>) -> tensor<8x2x4x4xf32> {
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %swap = "tosa.const"() <{value = dense<[1, 0, 2, 3]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %a = tosa.transpose %g, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %p = tosa.exp %a : (tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %r = tosa.transpose %p, %swap : (tensor<2x8x4x4xf32>, tensor<4xi32>) -> tensor<8x2x4x4xf32>
  return %r : tensor<8x2x4x4xf32>
}

// -----

// Negative: a reduction is not elementwise; the transpose stays after it.
// CHECK-LABEL: func.func @not_elementwise
// CHECK: tosa.transpose
// CHECK: tosa.reduce_sum
// CHECK: tosa.transpose
func.func @not_elementwise(%g: tensor<2x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %a = tosa.transpose %g, %to_nchw : (tensor<2x4x4x8xf32>, tensor<4xi32>) -> tensor<2x8x4x4xf32>
  %s = tosa.reduce_sum %a {axis = 0 : i32} : (tensor<2x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %r = tosa.transpose %s, %to_nhwc : (tensor<1x8x4x4xf32>, tensor<4xi32>) -> tensor<1x4x4x8xf32>
  return %r : tensor<1x4x4x8xf32>
}
