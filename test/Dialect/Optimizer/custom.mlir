// RUN: ipu-opt %s | FileCheck %s
// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --mlir-print-op-generic | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --ipuc-lower-optimizer | FileCheck %s --check-prefix=LOWER

// Heavy-ball momentum with a run-time learning rate, written by hand.
// CHECK-LABEL: func @momentum
// CHECK: %{{.*}}, %{{.*}} = optimizer.custom %arg0, %arg1 state(%arg2 : tensor<4x3xf32>) scalars(%arg3 : tensor<f32>) : tensor<4x3xf32> {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK:   optimizer.yield %{{.*}}, %{{.*}} : f32, f32
// The body is cloned into one generic reading the 0-d learning rate at
// every element; no optimizer op is left.
// LOWER-LABEL: func @momentum
// LOWER: %[[K:.*]]:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map1, #map, #map]
// LOWER-SAME: ins(%arg0, %arg1, %arg2, %arg3 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>)
// LOWER: ^bb0(%[[P:[a-z0-9_]+]]: f32, %[[G:[a-z0-9_]+]]: f32, %[[V:[a-z0-9_]+]]: f32, %[[LR:[a-z0-9_]+]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// LOWER:   %[[C:.*]] = arith.constant 0.899999976 : f32
// LOWER:   %[[M:.*]] = arith.mulf %[[C]], %[[V]] : f32
// LOWER:   %[[NV:.*]] = arith.addf %[[M]], %[[G]] : f32
// LOWER:   %[[D:.*]] = arith.mulf %[[LR]], %[[NV]] : f32
// LOWER:   %[[NP:.*]] = arith.subf %[[P]], %[[D]] : f32
// LOWER:   linalg.yield %[[NP]], %[[NV]] : f32, f32
// LOWER: return %[[K]]#0, %[[K]]#1
// LOWER-NOT: optimizer.
func.func @momentum(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %v: tensor<4x3xf32>,
                    %lr: tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %p1, %v1 = optimizer.custom %p, %g state(%v : tensor<4x3xf32>)
      scalars(%lr : tensor<f32>) : tensor<4x3xf32> {
  ^bb0(%pe: f32, %ge: f32, %ve: f32, %lre: f32):
    %c = arith.constant 0.9 : f32
    %m = arith.mulf %c, %ve : f32
    %nv = arith.addf %m, %ge : f32
    %d = arith.mulf %lre, %nv : f32
    %np = arith.subf %pe, %d : f32
    optimizer.yield %np, %nv : f32, f32
  }
  return %p1, %v1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// A stateless rule needs neither list.
// CHECK-LABEL: func @sign_sgd
// CHECK: optimizer.custom %arg0, %arg1 : tensor<8xf16> {
// LOWER-LABEL: func @sign_sgd
// LOWER: linalg.generic
// LOWER: math.copysign
func.func @sign_sgd(%p: tensor<8xf16>, %g: tensor<8xf16>) -> tensor<8xf16> {
  %p1 = optimizer.custom %p, %g : tensor<8xf16> {
  ^bb0(%pe: f16, %ge: f16):
    %lr = arith.constant 0.01 : f16
    %s = math.copysign %lr, %ge : f16
    %np = arith.subf %pe, %s : f16
    optimizer.yield %np : f16
  }
  return %p1 : tensor<8xf16>
}
