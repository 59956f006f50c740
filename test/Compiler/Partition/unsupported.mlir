// RUN: not ipuc %s -o %t.ipuplan --target=ipu --tiles=4 2>&1 | FileCheck %s
// RUN: test ! -e %t.ipuplan
// An op the partitioner has no lowering for (here a strided slice, which
// the host plan copies with strides but a box cannot express) is a located
// error naming it, and no plan is written.
// CHECK: unsupported.mlir:[[@LINE+2]]:8: error: 'tensor.extract_slice' with non-unit strides is not supported by the ipu target yet
func.func @main(%a: tensor<4x4xf32>) -> tensor<2x2xf32> {
  %s = tensor.extract_slice %a[0, 0] [2, 2] [2, 2] : tensor<4x4xf32> to tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}
