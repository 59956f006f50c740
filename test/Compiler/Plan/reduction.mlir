// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// A reduction reads its output block argument, so the filled init tensor is
// recorded in `inits`; the reduced dim is marked as a reduction.
func.func @main(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %r = linalg.reduce ins(%x : tensor<2x3xf32>) outs(%f : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %r : tensor<2xf32>
}

// CHECK: %1 = tensor "t1" f32[2] intermediate
// CHECK: %2 = tensor "output0" f32[2] output
// CHECK: kernel 0 linalg.fill
// CHECK-NEXT: fill %1 = -inf
// CHECK: kernel 1 linalg.reduce
// CHECK-NEXT: loop_bounds [2, 3]
// CHECK-NEXT: iterators [parallel, reduction]
// CHECK-NEXT: in0 = %0[offset 0, strides [3, 1]]
// CHECK-NEXT: out0 = %2[offset 0, strides [1, 0]] init %1
// CHECK: r2 = MaxF r0, r1 : f32
// CHECK-NEXT: Yield out0 = r2
