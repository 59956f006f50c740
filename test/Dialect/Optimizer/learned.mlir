// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --ipuc-lower-optimizer | FileCheck %s --check-prefix=LOWER

// CHECK-LABEL: func @learned
// CHECK: optimizer.learned %{{.*}}, %{{.*}} state(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>) {b1 = dense<[1.000000e-01, 0.000000e+00]> : tensor<2xf32>, b2 = dense<[0.000000e+00, 5.000000e-01]> : tensor<2xf32>, decays = array<f64: 5.000000e-01, {{[0-9.e+-]+}}>, lr = 1.000000e-02 : f64, mag_scale = 2.000000e+00 : f64, w1 = dense<{{.*}}> : tensor<4x2xf32>, w2 = dense<{{.*}}> : tensor<2x2xf32>} : tensor<2x3xf32>

// One kernel for the two momenta, one sum-of-squares reduction per feature
// (grad, param, each new momentum), one 0-d kernel turning the four sums
// into inverse RMS values 1 / sqrt(sum / 6 + eps), then the MLP kernel:
// each feature times its inverse RMS, two ReLU hidden units, and
// p - lr * d * exp(mag_scale * s).
// LOWER-LABEL: func @learned
// LOWER: %[[M:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg1, %arg2, %arg3 :
// LOWER:   arith.constant 5.000000e-01 : f32
// LOWER:   arith.constant 9.900000e-01 : f32
// LOWER: %[[GSQ:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%arg1 : tensor<2x3xf32>)
// LOWER: %[[PSQ:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x3xf32>)
// LOWER: %[[M0SQ:.*]] = linalg.generic {{.*}} ins(%[[M]]#0 : tensor<2x3xf32>)
// LOWER: %[[M1SQ:.*]] = linalg.generic {{.*}} ins(%[[M]]#1 : tensor<2x3xf32>)
// LOWER: %[[INV:.*]]:4 = linalg.generic {{.*}} iterator_types = []} ins(%[[GSQ]], %[[PSQ]], %[[M0SQ]], %[[M1SQ]] :
// LOWER:   ^bb0(%[[GS:[a-z0-9_]+]]: f32,
// LOWER:   %[[N:.*]] = arith.constant 6.000000e+00 : f32
// LOWER:   %[[MEAN:.*]] = arith.divf %[[GS]], %[[N]] : f32
// LOWER:   %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// LOWER:   %[[VAR:.*]] = arith.addf %[[MEAN]], %[[EPS]] : f32
// LOWER:   %[[RMS:.*]] = math.sqrt %[[VAR]] : f32
// LOWER:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// LOWER:   %[[GINV:.*]] = arith.divf %[[ONE]], %[[RMS]] : f32
// LOWER:   linalg.yield %[[GINV]],
// LOWER: %[[NEW:.*]] = linalg.generic {{.*}} ins(%arg1, %arg0, %[[M]]#0, %[[M]]#1, %[[INV]]#0, %[[INV]]#1, %[[INV]]#2, %[[INV]]#3 :
// LOWER:   ^bb0(%[[G:[a-z0-9_]+]]: f32, %[[P:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32, %{{[a-z0-9_]+}}: f32, %[[GI:[a-z0-9_]+]]: f32,
// LOWER:   arith.mulf %[[G]], %[[GI]] : f32
// LOWER-COUNT-2: arith.maximumf
// LOWER:   %[[EXP:.*]] = math.exp
// LOWER:   %[[LRD:.*]] = arith.mulf
// LOWER:   %[[STEP:.*]] = arith.mulf %[[LRD]], %[[EXP]] : f32
// LOWER:   %[[NP:.*]] = arith.subf %[[P]], %[[STEP]] : f32
// LOWER:   linalg.yield %[[NP]] : f32
// LOWER: return %[[NEW]], %[[M]]#0, %[[M]]#1
// LOWER-NOT: optimizer.
func.func @learned(%p: tensor<2x3xf32>, %g: tensor<2x3xf32>, %m0: tensor<2x3xf32>, %m1: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %p1, %n0, %n1 = optimizer.learned %p, %g state(%m0, %m1 : tensor<2x3xf32>, tensor<2x3xf32>)
      {decays = array<f64: 0.5, 0.99>, lr = 0.01, mag_scale = 2.0,
       w1 = dense<[[1.0, -1.0], [0.5, 0.0], [0.0, 1.0], [-0.5, 0.25]]> : tensor<4x2xf32>,
       b1 = dense<[0.1, 0.0]> : tensor<2xf32>,
       w2 = dense<[[1.0, 0.2], [-1.0, -0.3]]> : tensor<2x2xf32>,
       b2 = dense<[0.0, 0.5]> : tensor<2xf32>} : tensor<2x3xf32>
  return %p1, %n0, %n1 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// No decays: no state and no momentum kernel; the features are the
// gradient and the parameter.
// CHECK-LABEL: func @stateless
// CHECK: optimizer.learned %{{.*}}, %{{.*}} {b1
// LOWER-LABEL: func @stateless
// LOWER-COUNT-2: iterator_types = ["reduction"]
// LOWER: %[[INV:.*]]:2 = linalg.generic {{.*}} iterator_types = []}
// LOWER: %[[NEW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%arg1, %arg0, %[[INV]]#0, %[[INV]]#1 : tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>)
// LOWER: return %[[NEW]] : tensor<4xf32>
func.func @stateless(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  %p1 = optimizer.learned %p, %g
      {decays = array<f64>, w1 = dense<1.0> : tensor<2x1xf32>, b1 = dense<0.0> : tensor<1xf32>,
       w2 = dense<[[1.0, 0.0]]> : tensor<1x2xf32>, b2 = dense<0.0> : tensor<2xf32>} : tensor<4xf32>
  return %p1 : tensor<4xf32>
}
