// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --split-input-file --verify-diagnostics %s
// Data movement the ipu target cannot lower: each a located error naming
// the op (and no crash).
func.func @main(%a: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'tensor.extract_slice' with non-unit strides is not supported by the ipu target yet}}
  %s = tensor.extract_slice %a[0, 0] [2, 4] [2, 2] : tensor<4x8xf32> to tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

func.func @main(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{rank-reducing 'tensor.insert_slice' is not supported by the ipu target yet}}
  %i = tensor.insert_slice %b into %a[1, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<4x8xf32>
  return %i : tensor<4x8xf32>
}

// -----

func.func @main(%a: tensor<4x8xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tensor.pad' whose padding value is not a constant is not supported by the ipu target yet}}
  %p = tensor.pad %a low[1, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    %ii = arith.index_cast %i : index to i32
    %v = arith.sitofp %ii : i32 to f32
    tensor.yield %v : f32
  } : tensor<4x8xf32> to tensor<6x8xf32>
  return %p : tensor<6x8xf32>
}
