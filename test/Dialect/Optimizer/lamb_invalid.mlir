// RUN: not ipu-opt %s -split-input-file 2>&1 | FileCheck %s

func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lamb' op expects clamp_value in (0, inf), got 0
  %0:4 = optimizer.lamb %p, %g state(%m, %v, %t : tensor<4xf32>, tensor<4xf32>, tensor<f32>) {clamp_value = 0.0} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lamb' op expects beta2 in [0, 1), got 1
  %0:4 = optimizer.lamb %p, %g state(%m, %v, %t : tensor<4xf32>, tensor<4xf32>, tensor<f32>) {beta2 = 1.0} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lamb' op expects 3 state tensors (exp_avg, exp_avg_sq, step) for its attributes, got 1
  %0:2 = optimizer.lamb %p, %g state(%m : tensor<4xf32>) : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}
