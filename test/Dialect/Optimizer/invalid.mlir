// RUN: not ipu-opt %s -split-input-file 2>&1 | FileCheck %s

// One case per verifier error; the CHECKs are in input order, so each
// case must produce exactly its own error.

func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects lr in [0, inf), got -1
  %0 = optimizer.sgd %p, %g {lr = -1.0} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects momentum in [0, inf), got -0.5
  %0 = optimizer.sgd %p, %g {lr = 1.0, momentum = -0.5} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects dampening in [0, 1], got 2
  %0 = optimizer.sgd %p, %g {lr = 1.0, dampening = 2.0} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects weight_decay in [0, inf), got -0.1
  %0 = optimizer.sgd %p, %g {lr = 1.0, weight_decay = -0.1} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op nesterov needs momentum > 0 and dampening = 0
  %0 = optimizer.sgd %p, %g {lr = 1.0, nesterov = true} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects 2 state tensors (momentum_buffer, step) for its attributes, got 0
  %0 = optimizer.sgd %p, %g {lr = 1.0, momentum = 0.9} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects 0 state tensors for its attributes, got 1
  %0, %1 = optimizer.sgd %p, %g state(%b : tensor<4xf32>) {lr = 1.0} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<3xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects state #0 (momentum_buffer) of type 'tensor<4xf32>', got 'tensor<3xf32>'
  %0, %1, %2 = optimizer.sgd %p, %g state(%b, %t : tensor<3xf32>, tensor<f32>) {lr = 1.0, momentum = 0.9} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %t: tensor<1xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op expects state #1 (step) of type 'tensor<f32>', got 'tensor<1xf32>'
  %0, %1, %2 = optimizer.sgd %p, %g state(%b, %t : tensor<4xf32>, tensor<1xf32>) {lr = 1.0, momentum = 0.9} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<5xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op failed to verify that all of {param, grad, new_param} have same type
  %0 = "optimizer.sgd"(%p, %g) {lr = 1.0 : f64} : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xi32>, %g: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: error: 'optimizer.sgd' op operand #0 must be ranked tensor of floating-point values
  %0 = optimizer.sgd %p, %g {lr = 1.0} : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adam' op expects beta1 in [0, 1), got 1
  %0:4 = optimizer.adam %p, %g state(%m, %m, %t : tensor<4xf32>, tensor<4xf32>, tensor<f32>) {beta1 = 1.0} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adam' op expects beta2 in [0, 1), got -0.1
  %0:4 = optimizer.adam %p, %g state(%m, %m, %t : tensor<4xf32>, tensor<4xf32>, tensor<f32>) {beta2 = -0.1} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adam' op expects eps in (0, inf), got 0
  %0:4 = optimizer.adam %p, %g state(%m, %m, %t : tensor<4xf32>, tensor<4xf32>, tensor<f32>) {eps = 0.0} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adam' op expects lr in [0, inf), got nan
  %0:4 = optimizer.adam %p, %g state(%m, %m, %t : tensor<4xf32>, tensor<4xf32>, tensor<f32>) {lr = 0x7FF8000000000000 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adam' op expects 3 state tensors (exp_avg, exp_avg_sq, step) for its attributes, got 2
  %0:3 = optimizer.adam %p, %g state(%m, %m : tensor<4xf32>, tensor<4xf32>) : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adagrad' op expects lr_decay in [0, inf), got -1
  %0:3 = optimizer.adagrad %p, %g state(%s, %t : tensor<4xf32>, tensor<f32>) {lr_decay = -1.0} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.adagrad' op expects state #1 (step) of type 'tensor<f32>', got 'tensor<4xf32>'
  %0:3 = optimizer.adagrad %p, %g state(%s, %s : tensor<4xf32>, tensor<4xf32>) : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.rmsprop' op expects alpha in [0, 1], got 1.5
  %0:2 = optimizer.rmsprop %p, %g state(%s : tensor<4xf32>) {alpha = 1.5} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.rmsprop' op expects 3 state tensors (square_avg, momentum_buffer, grad_avg) for its attributes, got 1
  %0:2 = optimizer.rmsprop %p, %g state(%s : tensor<4xf32>) {momentum = 0.9, centered = true} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.sgd' op requires attribute 'lr'
  %0 = optimizer.sgd %p, %g : tensor<4xf32>
  return %0 : tensor<4xf32>
}
