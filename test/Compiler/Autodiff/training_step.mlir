// RUN: ipu-opt %s --ipuc-training-step="optimizer=adamw lr=0.01" | FileCheck %s --check-prefix=ADAMW
// RUN: ipu-opt %s --ipuc-training-step="optimizer=sgd lr=0.1" | FileCheck %s --check-prefix=SGD
// RUN: ipu-opt %s --ipuc-training-step="optimizer=rmsprop momentum=0.5 weight-decay=0.1" | FileCheck %s --check-prefix=RMS
// RUN: ipu-opt %s --ipuc-training-step="optimizer=adam lr-input" | FileCheck %s --check-prefix=LRIN
// RUN: ipu-opt %s --ipuc-training-step="optimizer=sgd lr-input" | FileCheck %s --check-prefix=LRSGD
// RUN: ipu-opt %s --ipuc-training-step="optimizer=sgd lr=0.1 clip-grad-norm=0.5" | FileCheck %s --check-prefix=CLIP
// RUN: not ipu-opt %s --ipuc-training-step="optimizer=sgd lr=0.1 clip-grad-norm=0" 2>&1 | FileCheck %s --check-prefix=BADCLIP
// RUN: not ipu-opt %s --ipuc-training-step="optimizer=sgd" 2>&1 | FileCheck %s --check-prefix=NOLR
// RUN: not ipu-opt %s --ipuc-training-step="optimizer=lion lr=1" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not ipu-opt %s --ipuc-training-step="optimizer=adam beta1=1.5" 2>&1 | FileCheck %s --check-prefix=RANGE

// State tensors become named arguments after the original ones; the
// results are the loss, then per parameter its update and its state's.
// ADAMW-LABEL: func @main
// ADAMW-SAME: %[[W:[a-z0-9]+]]: tensor<3xf32> {ipuc.name = "w", ipuc.param}
// State starts at zero: its initial value (ipuc.initial) travels in the plan.
// ADAMW-SAME: %[[M:[a-z0-9]+]]: tensor<3xf32> {ipuc.initial = dense<0.000000e+00> : tensor<3xf32>, ipuc.name = "w.exp_avg", ipuc.state_of = "w"}, %[[V:[a-z0-9]+]]: tensor<3xf32> {ipuc.initial = dense<0.000000e+00> : tensor<3xf32>, ipuc.name = "w.exp_avg_sq", ipuc.state_of = "w"}, %[[T:[a-z0-9]+]]: tensor<f32> {ipuc.initial = dense<0.000000e+00> : tensor<f32>, ipuc.name = "w.step", ipuc.state_of = "w"}
// ADAMW-SAME: -> (tensor<1xf32> {ipuc.name = "loss"}, tensor<3xf32> {ipuc.name = "w.next"}, tensor<3xf32> {ipuc.name = "w.exp_avg.next"}, tensor<3xf32> {ipuc.name = "w.exp_avg_sq.next"}, tensor<f32> {ipuc.name = "w.step.next"})
// AdamW takes torch's default decay of 0.01.
// ADAMW: %[[P:.*]], %[[S:.*]]:3 = optimizer.adam %[[W]], %{{.*}} state(%[[M]], %[[V]], %[[T]] : tensor<3xf32>, tensor<3xf32>, tensor<f32>) {decoupled = true, lr = 1.000000e-02 : f64, weight_decay = 1.000000e-02 : f64}
// ADAMW: return %{{.*}}, %[[P]], %[[S]]#0, %[[S]]#1, %[[S]]#2

// Plain SGD has no state.
// SGD-LABEL: func @main
// SGD-SAME: -> (tensor<1xf32> {ipuc.name = "loss"}, tensor<3xf32> {ipuc.name = "w.next"})
// SGD: optimizer.sgd %arg0, %{{.*}} {lr = 1.000000e-01 : f64} :

// RMSprop with momentum keeps a buffer; torch's default lr applies.
// RMS: ipuc.name = "w.square_avg"
// RMS-SAME: ipuc.name = "w.momentum_buffer"
// RMS: optimizer.rmsprop {{.*}} {momentum = 5.000000e-01 : f64, weight_decay = 1.000000e-01 : f64}

// With lr-input the rate is an f32 scalar argument `lr` (before the state);
// the op runs at lr = 1 and the step is scaled: w + lr * (update - w).
// LRIN-LABEL: func @main
// LRIN-SAME: %[[W:[a-z0-9]+]]: tensor<3xf32> {ipuc.name = "w", ipuc.param}
// LRIN-SAME: %[[LR:[a-z0-9]+]]: tensor<f32> {ipuc.name = "lr"}, %{{.*}}: tensor<3xf32> {{.*}}ipuc.name = "w.exp_avg", ipuc.state_of = "w"}
// LRIN: %[[P:.*]], %[[S:.*]]:3 = optimizer.adam %[[W]], %{{.*}} state({{.*}}) {lr = 1.000000e+00 : f64}
// LRIN: %[[R:.*]] = tosa.reshape %[[LR]] {new_shape = array<i64: 1>} : (tensor<f32>) -> tensor<1xf32>
// LRIN: %[[D:.*]] = tosa.sub %[[P]], %[[W]]
// LRIN: %[[M:.*]] = tosa.mul %[[R]], %[[D]] {shift = 0 : i8} : (tensor<1xf32>, tensor<3xf32>) -> tensor<3xf32>
// LRIN: %[[N:.*]] = tosa.add %[[W]], %[[M]]
// LRIN: return %{{.*}}, %[[N]], %[[S]]#0, %[[S]]#1, %[[S]]#2
// SGD needs no lr when the loop supplies it.
// LRSGD: ipuc.name = "lr"
// LRSGD: optimizer.sgd %arg0, %{{.*}} {lr = 1.000000e+00 : f64}

// Clipping scales the gradient before the update by
// min(1, 0.5 / (sqrt(sum(g * g)) + 1e-6)).
// CLIP-LABEL: func @main
// CLIP: %[[G:.*]] = tosa.mul %{{[0-9]+}}, %arg1
// CLIP: %[[SQ:.*]] = tosa.mul %[[G]], %[[G]]
// CLIP: %[[SUM:.*]] = tosa.reduce_sum %[[SQ]] {axis = 0 : i32}
// CLIP: %[[HALF:.*]] = "tosa.const"() <{value = dense<5.000000e-01>
// CLIP: %[[NORM:.*]] = tosa.pow %[[SUM]], %[[HALF]]
// CLIP: %[[EPS:.*]] = "tosa.const"() <{value = dense<9.99999997E-7>
// CLIP: %[[DEN:.*]] = tosa.add %[[NORM]], %[[EPS]]
// CLIP: %[[INV:.*]] = tosa.reciprocal %[[DEN]]
// CLIP: %[[MAX:.*]] = "tosa.const"() <{value = dense<5.000000e-01>
// CLIP: %[[COEF:.*]] = tosa.mul %[[MAX]], %[[INV]]
// CLIP: %[[ONE:.*]] = "tosa.const"() <{value = dense<1.000000e+00>
// CLIP: %[[SCALE:.*]] = tosa.minimum %[[COEF]], %[[ONE]]
// CLIP: %[[CLIPPED:.*]] = tosa.mul %[[SCALE]], %[[G]]
// CLIP: optimizer.sgd %arg0, %[[CLIPPED]] {lr = 1.000000e-01 : f64}
// BADCLIP: error: ipuc-training-step: clip-grad-norm must be positive, got 0

// NOLR: error: ipuc-training-step: sgd needs lr
// UNKNOWN: error: ipuc-training-step: unknown optimizer 'lion': expected sgd, adam, adamw, adagrad, rmsprop, lamb, lookahead or learned
// RANGE: error: 'optimizer.adam' op expects beta1 in [0, 1), got 1.5
func.func @main(%w: tensor<3xf32> {ipuc.name = "w", ipuc.param}, %x: tensor<3xf32> {ipuc.name = "x"})
    -> (tensor<1xf32> {ipuc.name = "loss"}) {
  %0 = tosa.mul %w, %x {shift = 0 : i8} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tosa.reduce_sum %0 {axis = 0 : i32} : (tensor<3xf32>) -> tensor<1xf32>
  return %1 : tensor<1xf32>
}
