// RUN: not ipu-opt %s --ipuc-autodiff -split-input-file 2>&1 | FileCheck %s

// An op on the path from a parameter to the loss without a rule is named.
func.func @no_rule(%w: tensor<3xf32> {ipuc.param}, %x: tensor<3xf32>) -> tensor<1xf32> {
  // CHECK: errors.mlir:1 offset :[[# @LINE + 1]]:8: error: ipuc-autodiff: no gradient rule for 'tosa.pow'
  %0 = tosa.pow %w, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tosa.reduce_sum %0 {axis = 0 : i32} : (tensor<3xf32>) -> tensor<1xf32>
  return %1 : tensor<1xf32>
}

// -----

// CHECK: error: ipuc-autodiff: 'two' must return exactly one loss value
func.func @two(%w: tensor<3xf32> {ipuc.param}) -> (tensor<3xf32>, tensor<3xf32>) {
  return %w, %w : tensor<3xf32>, tensor<3xf32>
}

// -----

func.func @not_scalar(%w: tensor<3xf32> {ipuc.param}) -> tensor<3xf32> {
  // CHECK: error: ipuc-autodiff: the loss must be a float tensor of one element, got 'tensor<3xf32>'
  return %w : tensor<3xf32>
}

// -----

// CHECK: error: ipuc-autodiff: parameter 'steps' must be a statically shaped float tensor, got 'tensor<1xi32>'
func.func @int_param(%w: tensor<1xi32> {ipuc.param, ipuc.name = "steps"}, %x: tensor<1xf32>) -> tensor<1xf32> {
  return %x : tensor<1xf32>
}

// -----

func.func @dynamic_perms(%w: tensor<2x3xf32> {ipuc.param}, %p: tensor<2xi32>) -> tensor<1x1xf32> {
  // CHECK: error: ipuc-autodiff: the gradient of 'tosa.transpose' needs constant perms
  %0 = tosa.transpose %w, %p : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<3x2xf32>
  %1 = tosa.reduce_sum %0 {axis = 0 : i32} : (tensor<3x2xf32>) -> tensor<1x2xf32>
  %2 = tosa.reduce_sum %1 {axis = 1 : i32} : (tensor<1x2xf32>) -> tensor<1x1xf32>
  return %2 : tensor<1x1xf32>
}

// -----

// Padding beyond the kernel's reach (rows of zeros only) is not supported.
func.func @overpadded_conv(%x: tensor<1x1x1x1xf32>, %w: tensor<1x1x1x1xf32> {ipuc.param}, %b: tensor<1xf32>) -> tensor<1x1x1x1xf32> {
  // CHECK: error: ipuc-autodiff: the gradient of 'tosa.conv2d' needs padding within the dilated kernel
  %0 = tosa.conv2d %x, %w, %b {dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x3x1x1xf32>
  %1 = tosa.slice %0 {size = array<i64: 1, 1, 1, 1>, start = array<i64: 0, 0, 0, 0>} : (tensor<1x3x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %1 : tensor<1x1x1x1xf32>
}

// -----

func.func @overlapping_pool(%x: tensor<1x4x4x1xf32> {ipuc.param}) -> tensor<1x1x1x1xf32> {
  // CHECK: error: ipuc-autodiff: the gradient of 'tosa.max_pool2d' needs non-overlapping windows that tile the input (kernel == stride, no padding)
  %0 = tosa.max_pool2d %x {kernel = array<i64: 3, 3>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  %1 = tosa.slice %0 {size = array<i64: 1, 1, 1, 1>, start = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  return %1 : tensor<1x1x1x1xf32>
}
