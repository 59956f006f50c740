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
// The trust ratio times the debiased step size is per tensor and step: one
// 0-d kernel beside the new counter, not the per-element kernel's work.
// LOWER: %[[S:.*]]:2 = linalg.generic {{.*}} iterator_types = []} ins(%arg4, %[[PSQ]], %[[USQ]] : tensor<f32>, tensor<f32>, tensor<f32>)
// LOWER:   ^bb0(%[[STEPE:[a-z0-9_]+]]: f32, %[[PSQE:[a-z0-9_]+]]: f32,
// LOWER:   %[[T:.*]] = arith.addf %[[STEPE]], %{{.*}} : f32
// LOWER:   %[[CLAMP:.*]] = arith.constant 2.000000e+00 : f32
// LOWER:   %[[PN:.*]] = math.sqrt %[[PSQE]] : f32
// LOWER:   arith.minimumf %[[PN]], %[[CLAMP]] : f32
// LOWER:   arith.ori
// LOWER:   %[[TRUST:.*]] = arith.select
// LOWER:   math.expm1
// LOWER:   math.expm1
// LOWER:   %[[SCALE:.*]] = arith.mulf %{{.*}}, %[[TRUST]] : f32
// LOWER:   linalg.yield %[[T]], %[[SCALE]] : f32, f32
// The per-element update is p - scale * u and nothing else.
// LOWER: %[[NEW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%arg0, %[[ADAM]]#0, %[[S]]#1 : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
// LOWER-NEXT: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[U:[a-z0-9_]+]]: f32, %[[SC:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// LOWER-NEXT:   %[[SU:.*]] = arith.mulf %[[SC]], %[[U]] : f32
// LOWER-NEXT:   %[[NP:.*]] = arith.subf %[[P]], %[[SU]] : f32
// LOWER-NEXT:   linalg.yield %[[NP]] : f32
// LOWER: return %[[NEW]], %[[ADAM]]#1, %[[ADAM]]#2, %[[S]]#0
// LOWER-NOT: optimizer.
func.func @lamb(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>,
                %t: tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) {
  %p1, %m1, %v1, %t1 = optimizer.lamb %p, %g state(%m, %v, %t : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
      {lr = 0.01, weight_decay = 0.01, clamp_value = 2.0, debias = true} : tensor<8xf32>
  return %p1, %m1, %v1, %t1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>
}
