// RUN: not ipuc %s -o %t.ipuplan --target=ipu --tiles=4 2>&1 | FileCheck %s
// RUN: test ! -e %t.ipuplan
// An op the partitioner has no lowering for is a located error naming it,
// and no plan is written.
// CHECK: unsupported.mlir:[[@LINE+4]]:8: error: 'tensor.pad' is not supported by the ipu target yet
func.func @main(%a: tensor<4x4xf32>) -> tensor<6x6xf32> {
  %z = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %0 = tensor.pad %a low[%c1, %c1] high[%c1, %c1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<4x4xf32> to tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}
