// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --ipuc-lower-optimizer | FileCheck %s --check-prefix=LOWER

// CHECK-LABEL: func @lookahead_adam
// CHECK: %{{.*}}, %{{.*}}:5 = optimizer.lookahead %arg0, %arg1 state(%arg2, %arg3, %arg4, %arg5, %arg6 : tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) {alpha = 8.000000e-01 : f64, k = 3 : i64} : tensor<4x3xf32> -> tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32> {
// CHECK: ^bb0(%{{.*}}: tensor<4x3xf32>, %{{.*}}: tensor<4x3xf32>, %{{.*}}: tensor<4x3xf32>, %{{.*}}: tensor<4x3xf32>, %{{.*}}: tensor<f32>):
// CHECK:   optimizer.adam
// CHECK:   optimizer.yield %{{.*}}, %{{.*}}#0, %{{.*}}#1, %{{.*}}#2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>

// The inner Adam is lowered and inlined; one kernel then syncs the slow
// weights when (step + 1) % k == 0 and picks the parameter.
// LOWER-LABEL: func @lookahead_adam
// The inner Adam's step kernel, then its per-element kernel.
// LOWER: %[[ASTEP:.*]]:3 = linalg.generic {{.*}} iterator_types = []} ins(%arg6 : tensor<f32>)
// LOWER: %[[ADAM:.*]]:3 = linalg.generic {{.*}} ins(%arg0, %arg1, %arg4, %arg5, %[[ASTEP]]#1, %[[ASTEP]]#2 :
// Whether this step syncs is one i1 per step, beside the new counter.
// LOWER: %[[LSTEP:.*]]:2 = linalg.generic {{.*}} iterator_types = []} ins(%arg3 : tensor<f32>) outs({{.*}} : tensor<f32>, tensor<i1>)
// LOWER: ^bb0(%[[STEP:[a-z0-9_]+]]: f32,
// LOWER:   %[[T:.*]] = arith.addf %[[STEP]], %{{.*}} : f32
// LOWER:   %[[K:.*]] = arith.constant 3.000000e+00 : f32
// LOWER:   %[[REM:.*]] = arith.remf %[[T]], %[[K]] : f32
// LOWER:   %[[IS:.*]] = arith.cmpf oeq, %[[REM]]
// LOWER:   linalg.yield %[[T]], %[[IS]] : f32, i1
// LOWER: %[[SYNC:.*]]:2 = linalg.generic {{.*}} ins(%[[ADAM]]#0, %arg2, %[[LSTEP]]#1 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<i1>)
// LOWER-NEXT: ^bb0(%[[FAST:[a-z0-9_]+]]: f32, %[[SLOW:[a-z0-9_]+]]: f32, %[[ISE:[a-z0-9_]+]]: i1,
// LOWER-NEXT:   %[[D:.*]] = arith.subf %[[FAST]], %[[SLOW]] : f32
// LOWER-NEXT:   arith.constant
// LOWER-NEXT:   %[[AD:.*]] = arith.mulf %{{.*}}, %[[D]] : f32
// LOWER-NEXT:   %[[MOVED:.*]] = arith.addf %[[SLOW]], %[[AD]] : f32
// LOWER-NEXT:   %[[NS:.*]] = arith.select %[[ISE]], %[[MOVED]], %[[SLOW]] : f32
// LOWER-NEXT:   %[[NP:.*]] = arith.select %[[ISE]], %[[NS]], %[[FAST]] : f32
// LOWER-NEXT:   linalg.yield %[[NP]], %[[NS]] : f32, f32
// LOWER: return %[[SYNC]]#0, %[[SYNC]]#1, %[[LSTEP]]#0, %[[ADAM]]#1, %[[ADAM]]#2, %[[ASTEP]]#0
// LOWER-NOT: optimizer.
func.func @lookahead_adam(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %slow: tensor<4x3xf32>, %t: tensor<f32>,
                          %m: tensor<4x3xf32>, %v: tensor<4x3xf32>, %at: tensor<f32>)
    -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) {
  %r:6 = optimizer.lookahead %p, %g state(%slow, %t, %m, %v, %at : tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>)
      {k = 3, alpha = 0.8} : tensor<4x3xf32> -> tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32> {
  ^bb0(%fp: tensor<4x3xf32>, %fg: tensor<4x3xf32>, %fm: tensor<4x3xf32>, %fv: tensor<4x3xf32>, %ft: tensor<f32>):
    %a:4 = optimizer.adam %fp, %fg state(%fm, %fv, %ft : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) {lr = 0.01} : tensor<4x3xf32>
    optimizer.yield %a#0, %a#1, %a#2, %a#3 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>
  }
  return %r#0, %r#1, %r#2, %r#3, %r#4, %r#5 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>
}
