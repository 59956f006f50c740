// RUN: not ipu-opt %s -split-input-file 2>&1 | FileCheck %s

func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects decays[0] in [0, 1), got 1
  %0:2 = optimizer.learned %p, %g state(%m : tensor<4xf32>) {decays = array<f64: 1.0>,
      w1 = dense<1.0> : tensor<3x2xf32>, b1 = dense<0.0> : tensor<2xf32>,
      w2 = dense<1.0> : tensor<2x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects w1 of shape [3, H] (grad, param and one momentum per decay, by H hidden units), got [2, 2]
  %0:2 = optimizer.learned %p, %g state(%m : tensor<4xf32>) {decays = array<f64: 0.9>,
      w1 = dense<1.0> : tensor<2x2xf32>, b1 = dense<0.0> : tensor<2xf32>,
      w2 = dense<1.0> : tensor<2x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects b1 of shape [2] (H = w1's columns), got [3]
  %0:2 = optimizer.learned %p, %g state(%m : tensor<4xf32>) {decays = array<f64: 0.9>,
      w1 = dense<1.0> : tensor<3x2xf32>, b1 = dense<0.0> : tensor<3xf32>,
      w2 = dense<1.0> : tensor<2x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects w2 of shape [2, 2] (H by direction, magnitude), got [2, 1]
  %0:2 = optimizer.learned %p, %g state(%m : tensor<4xf32>) {decays = array<f64: 0.9>,
      w1 = dense<1.0> : tensor<3x2xf32>, b1 = dense<0.0> : tensor<2xf32>,
      w2 = dense<1.0> : tensor<2x1xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects b2 of shape [2] (direction, magnitude), got [1]
  %0:2 = optimizer.learned %p, %g state(%m : tensor<4xf32>) {decays = array<f64: 0.9>,
      w1 = dense<1.0> : tensor<3x2xf32>, b1 = dense<0.0> : tensor<2xf32>,
      w2 = dense<1.0> : tensor<2x2xf32>, b2 = dense<0.0> : tensor<1xf32>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects 2 state tensors (momentum_0, momentum_1) for its attributes, got 0
  %0 = optimizer.learned %p, %g {decays = array<f64: 0.9, 0.99>,
      w1 = dense<1.0> : tensor<4x2xf32>, b1 = dense<0.0> : tensor<2xf32>,
      w2 = dense<1.0> : tensor<2x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf16>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects state #0 (momentum_0) of type 'tensor<4xf32>', got 'tensor<4xf16>'
  %0:2 = optimizer.learned %p, %g state(%m : tensor<4xf16>) {decays = array<f64: 0.9>,
      w1 = dense<1.0> : tensor<3x2xf32>, b1 = dense<0.0> : tensor<2xf32>,
      w2 = dense<1.0> : tensor<2x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<?xf32>, %g: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK: error: 'optimizer.learned' op expects a parameter of static shape (the feature normalisation divides by its element count), got 'tensor<?xf32>'
  %0 = optimizer.learned %p, %g {decays = array<f64>,
      w1 = dense<1.0> : tensor<2x1xf32>, b1 = dense<0.0> : tensor<1xf32>,
      w2 = dense<1.0> : tensor<1x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op expects mag_scale in [0, inf), got -1
  %0 = optimizer.learned %p, %g {decays = array<f64>, mag_scale = -1.0,
      w1 = dense<1.0> : tensor<2x1xf32>, b1 = dense<0.0> : tensor<1xf32>,
      w2 = dense<1.0> : tensor<1x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: custom op 'optimizer.learned' 'optimizer.learned' op attribute 'w1' failed to satisfy constraint: 32-bit float elements attribute
  %0 = optimizer.learned %p, %g {decays = array<f64>,
      w1 = dense<1.0> : tensor<2x1xf64>, b1 = dense<0.0> : tensor<1xf32>,
      w2 = dense<1.0> : tensor<1x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: 'optimizer.learned' op requires attribute 'w2'
  %0 = optimizer.learned %p, %g {decays = array<f64>,
      w1 = dense<1.0> : tensor<2x1xf32>, b1 = dense<0.0> : tensor<1xf32>,
      b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
