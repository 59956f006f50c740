// RUN: ipu-opt %s --ipuc-training-step="optimizer=lookahead lookahead-inner=sgd lr=0.1 momentum=0.9 lookahead-k=4 lookahead-alpha=0.25" | FileCheck %s
// RUN: ipu-opt %s --ipuc-training-step="optimizer=lookahead lookahead-inner=adam lr-input" | FileCheck %s --check-prefix=LRIN

// The slow weights start as the parameter's initial value; the inner
// rule's state follows lookahead's own.
// CHECK: func.func @main(%[[W:[a-z0-9]+]]: tensor<3xf32> {ipuc.initial = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>, ipuc.name = "w", ipuc.param}
// CHECK-SAME: %[[SLOW:[a-z0-9]+]]: tensor<3xf32> {ipuc.initial = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>, ipuc.name = "w.lookahead_slow", ipuc.state_of = "w"}
// CHECK-SAME: %[[STEP:[a-z0-9]+]]: tensor<f32> {ipuc.initial = dense<0.000000e+00> : tensor<f32>, ipuc.name = "w.lookahead_step", ipuc.state_of = "w"}
// CHECK-SAME: %[[BUF:[a-z0-9]+]]: tensor<3xf32> {{.*}}ipuc.name = "w.momentum_buffer"
// CHECK-SAME: %[[T:[a-z0-9]+]]: tensor<f32> {{.*}}ipuc.name = "w.step"
// CHECK-SAME: -> (tensor<1xf32> {ipuc.name = "loss"}, tensor<3xf32> {ipuc.name = "w.next"}, tensor<3xf32> {ipuc.name = "w.lookahead_slow.next"}, tensor<f32> {ipuc.name = "w.lookahead_step.next"}, tensor<3xf32> {ipuc.name = "w.momentum_buffer.next"}, tensor<f32> {ipuc.name = "w.step.next"})
// CHECK: %[[NEW:.*]], %[[STATE:.*]]:4 = optimizer.lookahead %[[W]], %{{.*}} state(%[[SLOW]], %[[STEP]], %[[BUF]], %[[T]] : {{.*}}) {alpha = 2.500000e-01 : f64, k = 4 : i64}
// CHECK-NEXT: ^bb0(%[[FP:.*]]: tensor<3xf32>, %[[FG:.*]]: tensor<3xf32>, %[[FB:.*]]: tensor<3xf32>, %[[FT:.*]]: tensor<f32>):
// CHECK-NEXT: %[[F:.*]], %[[FS:.*]]:2 = optimizer.sgd %[[FP]], %[[FG]] state(%[[FB]], %[[FT]] : tensor<3xf32>, tensor<f32>) {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64}
// CHECK-NEXT: optimizer.yield %[[F]], %[[FS]]#0, %[[FS]]#1
// CHECK: return %{{.*}}, %[[NEW]], %[[STATE]]#0, %[[STATE]]#1, %[[STATE]]#2, %[[STATE]]#3

// With lr-input the rate scales the fast step inside the body (the sync is
// not linear in it), and the lookahead's result is returned as is.
// LRIN: func.func @main({{.*}}%[[LR:[a-z0-9]+]]: tensor<f32> {ipuc.name = "lr"}
// LRIN: %[[NEW:.*]], %{{.*}} = optimizer.lookahead
// LRIN-NEXT: ^bb0(%[[FP:[a-z0-9]+]]: tensor<3xf32>,
// LRIN-NEXT: %[[F:.*]], %[[FS:.*]]:3 = optimizer.adam %[[FP]], {{.*}} {lr = 1.000000e+00 : f64}
// LRIN-NEXT: %[[RATE:.*]] = tosa.reshape %[[LR]]
// LRIN-NEXT: %[[D:.*]] = tosa.sub %[[F]], %[[FP]]
// LRIN-NEXT: %[[SD:.*]] = tosa.mul %[[RATE]], %[[D]]
// LRIN-NEXT: %[[FAST:.*]] = tosa.add %[[FP]], %[[SD]]
// LRIN-NEXT: optimizer.yield %[[FAST]], %[[FS]]#0, %[[FS]]#1, %[[FS]]#2
// LRIN: return %{{.*}}, %[[NEW]],
func.func @main(%w: tensor<3xf32> {ipuc.name = "w", ipuc.param,
                                   ipuc.initial = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>},
                %x: tensor<3xf32> {ipuc.name = "x"}) -> (tensor<1xf32> {ipuc.name = "loss"}) {
  %0 = tosa.mul %w, %x {shift = 0 : i8} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tosa.reduce_sum %0 {axis = 0 : i32} : (tensor<3xf32>) -> tensor<1xf32>
  return %1 : tensor<1xf32>
}
