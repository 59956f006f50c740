// RUN: ipu-opt %s | FileCheck %s
// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --mlir-print-op-generic | ipu-opt | FileCheck %s

// Every rule in its state layouts; defaults are elided when printed.

// CHECK-LABEL: func @sgd
func.func @sgd(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %buf: tensor<4x3xf32>,
               %step: tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) {
  // CHECK: optimizer.sgd %{{.*}}, %{{.*}} {lr = 1.000000e-01 : f64} : tensor<4x3xf32>
  %p1 = optimizer.sgd %p, %g {lr = 0.1} : tensor<4x3xf32>
  // CHECK: optimizer.sgd %{{.*}}, %{{.*}} state(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<f32>) {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true} : tensor<4x3xf32>
  %p2, %b2, %s2 = optimizer.sgd %p, %g state(%buf, %step : tensor<4x3xf32>, tensor<f32>)
      {lr = 0.1, momentum = 0.9, nesterov = true} : tensor<4x3xf32>
  return %p1, %p2, %b2, %s2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>
}

// CHECK-LABEL: func @adam
func.func @adam(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>,
                %t: tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) {
  // CHECK: optimizer.adam %{{.*}}, %{{.*}} state(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<f32>) {decoupled = true, weight_decay = 1.000000e-02 : f64} : tensor<8xf32>
  %p1, %m1, %v1, %t1 = optimizer.adam %p, %g state(%m, %v, %t : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
      {weight_decay = 0.01, decoupled = true} : tensor<8xf32>
  return %p1, %m1, %v1, %t1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>
}

// CHECK-LABEL: func @adagrad
func.func @adagrad(%p: tensor<2x2xf32>, %g: tensor<2x2xf32>, %s: tensor<2x2xf32>,
                   %t: tensor<f32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<f32>) {
  // CHECK: optimizer.adagrad %{{.*}}, %{{.*}} state(%{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<f32>) {lr_decay = 1.000000e-02 : f64} : tensor<2x2xf32>
  %p1, %s1, %t1 = optimizer.adagrad %p, %g state(%s, %t : tensor<2x2xf32>, tensor<f32>)
      {lr_decay = 0.01} : tensor<2x2xf32>
  return %p1, %s1, %t1 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<f32>
}

// CHECK-LABEL: func @rmsprop
func.func @rmsprop(%p: tensor<5xf32>, %g: tensor<5xf32>, %sq: tensor<5xf32>, %buf: tensor<5xf32>,
                   %ga: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  // CHECK: optimizer.rmsprop %{{.*}}, %{{.*}} state(%{{.*}} : tensor<5xf32>) : tensor<5xf32>
  %p0, %sq0 = optimizer.rmsprop %p, %g state(%sq : tensor<5xf32>) : tensor<5xf32>
  // CHECK: optimizer.rmsprop %{{.*}}, %{{.*}} state(%{{.*}}, %{{.*}}, %{{.*}} : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {centered = true, momentum = 5.000000e-01 : f64} : tensor<5xf32>
  %p1, %sq1, %buf1, %ga1 = optimizer.rmsprop %p, %g state(%sq, %buf, %ga : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>)
      {momentum = 0.5, centered = true} : tensor<5xf32>
  return %p1, %sq1, %buf1, %ga1 : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}
