// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Indexing maps fold with row-major strides: a broadcast operand gets stride
// 0 along the broadcast loop dim, a constant index becomes an offset.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#fixed = affine_map<(d0, d1) -> (1, d1)>
func.func @main(%x: tensor<2x3xf32> {ipuc.name = "x"}, %b: tensor<3xf32> {ipuc.name = "bias"},
                %t: tensor<4x3xf32> {ipuc.name = "table"}) -> (tensor<2x3xf32> {ipuc.name = "y"}) {
  %e = tensor.empty() : tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #fixed, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b, %t : tensor<2x3xf32>, tensor<3xf32>, tensor<4x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %bias: f32, %row: f32, %out: f32):
    %0 = arith.addf %in, %bias : f32
    %1 = arith.mulf %0, %row : f32
    %c = arith.constant 0.5 : f32
    %2 = arith.maximumf %1, %c : f32
    %3 = math.exp %2 : f32
    %4 = arith.cmpf ogt, %3, %c : f32
    %5 = arith.select %4, %3, %c : f32
    linalg.yield %5 : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// CHECK: %0 = tensor "x" f32[2x3] input
// CHECK: %1 = tensor "bias" f32[3] input
// CHECK: %2 = tensor "table" f32[4x3] input
// CHECK: %3 = tensor "y" f32[2x3] output
// CHECK: output "y" = %3
// CHECK: kernel 0 linalg.generic loc("{{.*}}generic_broadcast.mlir:11:
// CHECK-NEXT: loop_bounds [2, 3]
// CHECK-NEXT: iterators [parallel, parallel]
// CHECK-NEXT: in0 = %0[offset 0, strides [3, 1]]
// CHECK-NEXT: in1 = %1[offset 0, strides [0, 1]]
// CHECK-NEXT: in2 = %2[offset 3, strides [0, 1]]
// CHECK-NEXT: out0 = %3[offset 0, strides [3, 1]]
// CHECK-NOT: init
// CHECK: r4 = AddF r0, r1 : f32
// CHECK-NEXT: r5 = MulF r4, r2 : f32
// CHECK-NEXT: r6 = ConstF 0.5 : f32
// CHECK-NEXT: r7 = MaxF r5, r6 : f32
// CHECK-NEXT: r8 = Exp r7 : f32
// CHECK-NEXT: r9 = CmpF pred 2 r8, r6 : f32 -> bool
// CHECK-NEXT: r10 = Select r9, r8, r6 : f32
// CHECK-NEXT: Yield out0 = r10
