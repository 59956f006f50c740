// RUN: ipu-opt %s --ipuc-lower-optimizer -split-input-file | FileCheck %s

// Plain SGD: one generic, p - lr * (g + wd * p), no state.
// CHECK-LABEL: func @sgd
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[G:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// CHECK:   %[[WD:.*]] = arith.constant 0.00999999977 : f32
// CHECK:   %[[DP:.*]] = arith.mulf %[[WD]], %[[P]]
// CHECK:   %[[D:.*]] = arith.addf %[[G]], %[[DP]]
// CHECK:   %[[LR:.*]] = arith.constant 1.000000e-01 : f32
// CHECK:   %[[STEP:.*]] = arith.mulf %[[LR]], %[[D]]
// CHECK:   %[[NEW:.*]] = arith.subf %[[P]], %[[STEP]]
// CHECK:   linalg.yield %[[NEW]] : f32
// CHECK-NOT: optimizer.
func.func @sgd(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  %0 = optimizer.sgd %p, %g {lr = 0.1, weight_decay = 0.01} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Momentum: the buffer is the undamped gradient on step 0. Whether this is
// step 0 is one i1 per step, computed by the 0-d kernel that also advances
// the counter and broadcast into the update; the per-element body has no
// comparison.
// CHECK-LABEL: func @sgd_momentum
// CHECK: %[[C:.*]]:2 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = []} ins(%arg3 : tensor<f32>) outs({{.*}} : tensor<f32>, tensor<i1>)
// CHECK: ^bb0(%[[S:[a-z0-9_]+]]: f32,
// CHECK:   %[[T:.*]] = arith.addf %[[S]], %{{.*}} : f32
// CHECK:   %[[FIRST:.*]] = arith.cmpf oeq, %[[S]], %{{.*}}
// CHECK:   linalg.yield %[[T]], %[[FIRST]] : f32, i1
// CHECK: %[[K:.*]]:2 = linalg.generic {indexing_maps = [#map1, #map1, #map1, #map2, #map1, #map1]
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %[[C]]#1 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i1>)
// CHECK-NEXT: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[G:[a-z0-9_]+]]: f32, %[[B:[a-z0-9_]+]]: f32, %[[F:[a-z0-9_]+]]: i1, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NOT: arith.cmpf
// CHECK:   %[[DG:.*]] = arith.mulf %{{.*}}, %[[G]]
// CHECK:   %[[MB:.*]] = arith.mulf %{{.*}}, %[[B]]
// CHECK:   %[[LATER:.*]] = arith.addf %[[MB]], %[[DG]]
// CHECK-NEXT:   %[[BUF:.*]] = arith.select %[[F]], %[[G]], %[[LATER]]
// CHECK:   linalg.yield %{{.*}}, %[[BUF]] : f32, f32
// CHECK: return %[[K]]#0, %[[K]]#1, %[[C]]#0
func.func @sgd_momentum(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %buf: tensor<4x3xf32>, %step: tensor<f32>)
    -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) {
  %p1, %b1, %s1 = optimizer.sgd %p, %g state(%buf, %step : tensor<4x3xf32>, tensor<f32>)
      {lr = 0.1, momentum = 0.9, dampening = 0.5} : tensor<4x3xf32>
  return %p1, %b1, %s1 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>
}

// -----

// Adam: bias corrections as -expm1(t * log(beta)) with log(0.9) and
// log(0.999) folded, step_size = lr / (1 - beta1^t) and sqrt(1 - beta2^t)
// computed once per step by the 0-d kernel that advances the counter;
// AdamW scales the parameter by 1 - lr * wd first. The per-element body
// has no exp and only the two square roots/divisions of torch's update.
// CHECK-LABEL: func @adamw
// CHECK: %[[C:.*]]:3 = linalg.generic {{.*}} iterator_types = []} ins(%arg4 : tensor<f32>)
// CHECK: ^bb0(%[[S:[a-z0-9_]+]]: f32,
// CHECK:   %[[T:.*]] = arith.addf %[[S]], %{{.*}} : f32
// CHECK:   arith.constant -0.105360515 : f32
// CHECK:   math.expm1
// CHECK:   %[[SS:.*]] = arith.divf
// CHECK:   arith.constant -0.00100050028 : f32
// CHECK:   math.expm1
// CHECK:   %[[C2:.*]] = math.sqrt
// CHECK:   linalg.yield %[[T]], %[[SS]], %[[C2]] : f32, f32, f32
// CHECK: %[[K:.*]]:3 = linalg.generic
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3, %[[C]]#1, %[[C]]#2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>)
// CHECK: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[G:[a-z0-9_]+]]: f32, %[[M:[a-z0-9_]+]]: f32, %[[V:[a-z0-9_]+]]: f32, %[[SSE:[a-z0-9_]+]]: f32, %[[C2E:[a-z0-9_]+]]: f32,
// CHECK-NOT: math.expm1
// CHECK:   %[[DECAY:.*]] = arith.constant 9.990000e-01 : f32
// CHECK:   %[[PD:.*]] = arith.mulf %[[DECAY]], %[[P]]
// CHECK-NOT: math.expm1
// CHECK:   %[[RT:.*]] = math.sqrt
// CHECK-NEXT:   arith.divf %[[RT]], %[[C2E]]
// CHECK-NOT: math.
// CHECK:   %[[UPD:.*]] = arith.mulf %[[SSE]],
// CHECK-NEXT:   %[[NEW:.*]] = arith.subf %[[PD]], %[[UPD]]
// CHECK-NEXT:   linalg.yield %[[NEW]], %{{.*}}, %{{.*}} : f32, f32, f32
// CHECK: return %[[K]]#0, %[[K]]#1, %[[K]]#2, %[[C]]#0
func.func @adamw(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<f32>)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) {
  %p1, %m1, %v1, %t1 = optimizer.adam %p, %g state(%m, %v, %t : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
      {lr = 0.1, weight_decay = 0.01, decoupled = true} : tensor<8xf32>
  return %p1, %m1, %v1, %t1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>
}

// -----

// Adagrad with lr_decay divides lr by 1 + step * lr_decay (step = t - 1),
// once per step in the counter's 0-d kernel; the per-element body only
// multiplies by it.
// CHECK-LABEL: func @adagrad
// CHECK: %[[C:.*]]:2 = linalg.generic {{.*}} iterator_types = []} ins(%arg3 : tensor<f32>)
// CHECK: ^bb0(%[[S:[a-z0-9_]+]]: f32,
// CHECK:   %[[T:.*]] = arith.addf %[[S]], %{{.*}} : f32
// CHECK:   %[[D:.*]] = arith.mulf %{{.*}}, %[[S]]
// CHECK:   %[[DEN:.*]] = arith.addf %{{.*}}, %[[D]]
// CHECK:   %[[CLR:.*]] = arith.divf %{{.*}}, %[[DEN]]
// CHECK:   linalg.yield %[[T]], %[[CLR]] : f32, f32
// CHECK: %[[K:.*]]:2 = linalg.generic {{.*}} ins(%arg0, %arg1, %arg2, %[[C]]#1 :
// CHECK-NEXT: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[G:[a-z0-9_]+]]: f32, %[[SUM:[a-z0-9_]+]]: f32, %[[CLRE:[a-z0-9_]+]]: f32,
// CHECK-NEXT:   %[[SQ:.*]] = arith.mulf %[[G]], %[[G]]
// CHECK-NEXT:   %[[NSUM:.*]] = arith.addf %[[SUM]], %[[SQ]]
// CHECK-NEXT:   arith.constant
// CHECK-NEXT:   %[[RT:.*]] = math.sqrt %[[NSUM]]
// CHECK-NEXT:   %[[STD:.*]] = arith.addf %[[RT]],
// CHECK-NEXT:   %[[R:.*]] = arith.divf %[[G]], %[[STD]]
// CHECK-NEXT:   %[[U:.*]] = arith.mulf %[[CLRE]], %[[R]]
// CHECK-NEXT:   %[[NP:.*]] = arith.subf %[[P]], %[[U]]
// CHECK-NEXT:   linalg.yield %[[NP]], %[[NSUM]] : f32, f32
// CHECK: return %[[K]]#0, %[[K]]#1, %[[C]]#0
func.func @adagrad(%p: tensor<2x2xf32>, %g: tensor<2x2xf32>, %s: tensor<2x2xf32>, %t: tensor<f32>)
    -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<f32>) {
  %p1, %s1, %t1 = optimizer.adagrad %p, %g state(%s, %t : tensor<2x2xf32>, tensor<f32>)
      {lr_decay = 0.01} : tensor<2x2xf32>
  return %p1, %s1, %t1 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<f32>
}

// -----

// Centered RMSprop with momentum yields (param, square_avg, buffer,
// grad_avg) in the op's state order and has no step counter.
// CHECK-LABEL: func @rmsprop
// CHECK: %[[K:.*]]:4 = linalg.generic
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3, %arg4 : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>)
// CHECK: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[G:[a-z0-9_]+]]: f32, %[[SQ:[a-z0-9_]+]]: f32, %[[B:[a-z0-9_]+]]: f32, %[[GA:[a-z0-9_]+]]: f32,
// CHECK:   %[[NSQ:.*]] = arith.addf
// CHECK:   %[[NGA:.*]] = arith.addf
// CHECK:   %[[GA2:.*]] = arith.mulf %[[NGA]], %[[NGA]]
// CHECK:   %[[VAR:.*]] = arith.subf %[[NSQ]], %[[GA2]]
// CHECK:   math.sqrt %[[VAR]]
// CHECK:   %[[STEP:.*]] = arith.divf %[[G]], %{{.*}}
// CHECK:   %[[MB:.*]] = arith.mulf %{{.*}}, %[[B]]
// CHECK:   %[[NB:.*]] = arith.addf %[[MB]], %[[STEP]]
// CHECK:   %[[NP:.*]] = arith.subf %[[P]], %{{.*}}
// CHECK:   linalg.yield %[[NP]], %[[NSQ]], %[[NB]], %[[NGA]] : f32, f32, f32, f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[K]]#0, %[[K]]#1, %[[K]]#2, %[[K]]#3
func.func @rmsprop(%p: tensor<5xf32>, %g: tensor<5xf32>, %sq: tensor<5xf32>, %buf: tensor<5xf32>, %ga: tensor<5xf32>)
    -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %p1, %sq1, %buf1, %ga1 = optimizer.rmsprop %p, %g state(%sq, %buf, %ga : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>)
      {momentum = 0.9, centered = true} : tensor<5xf32>
  return %p1, %sq1, %buf1, %ga1 : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

// -----

// Dynamic extents come from the parameter.
// CHECK-LABEL: func @dynamic
// CHECK: %[[D:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x3xf32>
// CHECK: tensor.empty(%[[D]]) : tensor<?x3xf32>
func.func @dynamic(%p: tensor<?x3xf32>, %g: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = optimizer.sgd %p, %g {lr = 0.1} : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// The counter stays f32 while the step scalars are in the parameter's type:
// t is widened once, in the 0-d kernel, and the per-element body reads f64
// scalars without converting anything.
// CHECK-LABEL: func @adam_f64
// CHECK: %[[C:.*]]:3 = linalg.generic {{.*}} iterator_types = []} ins(%arg4 : tensor<f32>) outs({{.*}} : tensor<f32>, tensor<f64>, tensor<f64>)
// CHECK:   %[[T:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK:   arith.extf %[[T]] : f32 to f64
// CHECK:   math.expm1 %{{.*}} : f64
// CHECK:   linalg.yield %[[T]], %{{.*}}, %{{.*}} : f32, f64, f64
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1, %arg2, %arg3, %[[C]]#1, %[[C]]#2 : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<f64>, tensor<f64>)
// CHECK-NOT: arith.extf
// CHECK-NOT: math.expm1
// CHECK: linalg.yield
func.func @adam_f64(%p: tensor<3xf64>, %g: tensor<3xf64>, %m: tensor<3xf64>, %v: tensor<3xf64>, %t: tensor<f32>)
    -> (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<f32>) {
  %p1, %m1, %v1, %t1 = optimizer.adam %p, %g state(%m, %v, %t : tensor<3xf64>, tensor<3xf64>, tensor<f32>)
      {lr = 0.1} : tensor<3xf64>
  return %p1, %m1, %v1, %t1 : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<f32>
}

// -----

// Adagrad without lr_decay: the rate is a constant in the per-element body
// and the step kernel only advances the counter.
// CHECK-LABEL: func @adagrad_no_decay
// CHECK: %[[C:.*]] = linalg.generic {{.*}} iterator_types = []} ins(%arg3 : tensor<f32>)
// CHECK: %[[K:.*]]:2 = linalg.generic {{.*}} ins(%arg0, %arg1, %arg2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:   math.sqrt
// CHECK:   arith.divf
// CHECK-NOT: arith.divf
// CHECK:   linalg.yield
// CHECK: return %[[K]]#0, %[[K]]#1, %[[C]]
func.func @adagrad_no_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<f32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<f32>) {
  %p1, %s1, %t1 = optimizer.adagrad %p, %g state(%s, %t : tensor<4xf32>, tensor<f32>)
      {lr = 0.1} : tensor<4xf32>
  return %p1, %s1, %t1 : tensor<4xf32>, tensor<4xf32>, tensor<f32>
}
