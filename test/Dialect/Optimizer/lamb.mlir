// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --ipuc-lower-optimizer | FileCheck %s --check-prefix=LOWER

// CHECK-LABEL: func @lamb
// CHECK: optimizer.lamb %{{.*}}, %{{.*}} state(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<f32>) {clamp_value = 2.000000e+00 : f64, debias = true, lr = 1.000000e-02 : f64, weight_decay = 1.000000e-02 : f64} : tensor<8xf32>

// One kernel for the Adam step and the moments, one reduction per norm
// (of the parameter and of the Adam step), then the trust-scaled update
// reading both sums and the step counter as 0-d tensors.
// LOWER-LABEL: func @lamb
// LOWER: %[[ADAM:.*]]:3 = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%arg0, %arg1, %arg2, %arg3 :
// LOWER: %[[PSQ:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%arg0 : tensor<8xf32>)
// LOWER: %[[USQ:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[ADAM]]#0 : tensor<8xf32>)
// LOWER: %[[NEW:.*]] = linalg.generic {{.*}} ins(%arg0, %[[ADAM]]#0, %[[PSQ]], %[[USQ]], %arg4 : tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<f32>)
// LOWER:   ^bb0(%{{[a-z0-9_]+}}: f32, %{{[a-z0-9_]+}}: f32, %[[PSQE:[a-z0-9_]+]]: f32,
// LOWER:   %[[CLAMP:.*]] = arith.constant 2.000000e+00 : f32
// LOWER:   %[[PN:.*]] = math.sqrt %[[PSQE]] : f32
// LOWER:   arith.minimumf %[[PN]], %[[CLAMP]] : f32
// LOWER:   arith.ori
// LOWER:   arith.select
// LOWER: %[[STEP:.*]] = linalg.generic
// LOWER: return %[[NEW]], %[[ADAM]]#1, %[[ADAM]]#2, %[[STEP]]
// LOWER-NOT: optimizer.
func.func @lamb(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>,
                %t: tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) {
  %p1, %m1, %v1, %t1 = optimizer.lamb %p, %g state(%m, %v, %t : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
      {lr = 0.01, weight_decay = 0.01, clamp_value = 2.0, debias = true} : tensor<8xf32>
  return %p1, %m1, %v1, %t1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>
}
