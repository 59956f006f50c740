// RUN: not ipu-opt %s -split-input-file 2>&1 | FileCheck %s

// One case per optimizer.custom verifier error, in input order.

func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<2xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.custom' op expects state #0 of the parameter's type 'tensor<4xf32>', got 'tensor<2xf32>'
  %0, %1 = optimizer.custom %p, %g state(%s : tensor<2xf32>) : tensor<4xf32> {
  ^bb0(%a: f32, %b: f32, %c: f32):
    optimizer.yield %a, %c : f32, f32
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: tensor<f16>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.custom' op expects scalar #0 of element type 'f32', got 'tensor<f16>'
  %0 = optimizer.custom %p, %g scalars(%lr : tensor<f16>) : tensor<4xf32> {
  ^bb0(%a: f32, %b: f32, %c: f32):
    optimizer.yield %a : f32
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.custom' op expects a body with 2 arguments (param, grad, 0 state, 0 scalars), got 3
  %0 = optimizer.custom %p, %g : tensor<4xf32> {
  ^bb0(%a: f32, %b: f32, %c: f32):
    optimizer.yield %a : f32
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.custom' op expects body argument #1 of type 'f32', got 'f16'
  %0 = optimizer.custom %p, %g : tensor<4xf32> {
  ^bb0(%a: f32, %b: f16):
    optimizer.yield %a : f32
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'tensor.extract' op is not allowed in an optimizer.custom body, which holds only arith and math ops
  %0 = optimizer.custom %p, %g : tensor<4xf32> {
  ^bb0(%a: f32, %b: f32):
    %i = arith.constant 0 : index
    %e = tensor.extract %t[%i] : tensor<4xf32>
    optimizer.yield %e : f32
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.yield' op yields 1 values, expected 2 (the new parameter and each new state)
  %0, %1 = optimizer.custom %p, %g state(%v : tensor<4xf32>) : tensor<4xf32> {
  ^bb0(%a: f32, %b: f32, %c: f32):
    optimizer.yield %a : f32
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.yield' op expects value #0 of type 'f32', got 'f16'
  %0 = optimizer.custom %p, %g : tensor<4xf32> {
  ^bb0(%a: f32, %b: f32):
    %c = arith.truncf %a : f32 to f16
    optimizer.yield %c : f16
  }
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.yield' op expects parent op to be one of 'optimizer.custom, optimizer.lookahead'
  optimizer.yield %p : tensor<4xf32>
  return %p : tensor<4xf32>
}
