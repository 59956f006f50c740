// RUN: not ipu-opt %s -split-input-file 2>&1 | FileCheck %s

func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lookahead' op expects k >= 1, got 0
  %0:3 = optimizer.lookahead %p, %g state(%s, %t : tensor<4xf32>, tensor<f32>) {k = 0} : tensor<4xf32> -> tensor<4xf32>, tensor<f32> {
  ^bb0(%fp: tensor<4xf32>, %fg: tensor<4xf32>):
    optimizer.yield %fp : tensor<4xf32>
  }
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lookahead' op expects alpha in [0, 1], got 1.5
  %0:3 = optimizer.lookahead %p, %g state(%s, %t : tensor<4xf32>, tensor<f32>) {alpha = 1.5} : tensor<4xf32> -> tensor<4xf32>, tensor<f32> {
  ^bb0(%fp: tensor<4xf32>, %fg: tensor<4xf32>):
    optimizer.yield %fp : tensor<4xf32>
  }
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lookahead' op expects the state to start with the slow weights ('tensor<4xf32>') and the step ('tensor<f32>')
  %0:2 = optimizer.lookahead %p, %g state(%t : tensor<f32>) : tensor<4xf32> -> tensor<f32> {
  ^bb0(%fp: tensor<4xf32>, %fg: tensor<4xf32>):
    optimizer.yield %fp : tensor<4xf32>
  }
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<f32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.lookahead' op expects the body to take the parameter, the gradient and the inner state (3 tensors after slow and step)
  %0:4 = optimizer.lookahead %p, %g state(%s, %t, %b : tensor<4xf32>, tensor<f32>, tensor<4xf32>) : tensor<4xf32> -> tensor<4xf32>, tensor<f32>, tensor<4xf32> {
  ^bb0(%fp: tensor<4xf32>, %fg: tensor<4xf32>):
    optimizer.yield %fp, %fp : tensor<4xf32>, tensor<4xf32>
  }
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.yield' op expects the fast parameter and the 0 new inner state tensors
  %0:3 = optimizer.lookahead %p, %g state(%s, %t : tensor<4xf32>, tensor<f32>) : tensor<4xf32> -> tensor<4xf32>, tensor<f32> {
  ^bb0(%fp: tensor<4xf32>, %fg: tensor<4xf32>):
    optimizer.yield %fp, %fg : tensor<4xf32>, tensor<4xf32>
  }
  return %0#0 : tensor<4xf32>
}
