// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4 grain=4" %s | FileCheck %s

// The 4x8 input is mapped 8 elements (one row) per tile. The slice of rows
// 1..2, columns 2..5 follows the source: its row 0 lives on tile 1 and row 1
// on tile 2, copied there by on-tile copy vertices; no exchange.
// CHECK-LABEL: bsp.program @main
// CHECK: %[[A:.*]] = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>, #bsp.interval<2, 16, 24, 0>, #bsp.interval<3, 24, 32, 0>]
// CHECK: %[[S:.*]] = bsp.tensor "tensor.extract_slice#1" role(intermediate) mapping [#bsp.interval<1, 0, 4, 0>, #bsp.interval<2, 4, 8, 0>]
// The insert_slice writes into an on-tile copy of the input `a` (which must
// keep its value: it is also returned), then one exchange moves the slice
// into its box.
// CHECK: %[[I:.*]] = bsp.tensor "output0" role(output) mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>, #bsp.interval<2, 16, 24, 0>, #bsp.interval<3, 24, 32, 0>]
// CHECK-NOT: bsp.exchange
// CHECK: bsp.compute_set "tensor.extract_slice#1" {
// CHECK-NEXT: bsp.copy_vertex tile(1) ins(%[[A]] [#bsp.box<offsets = [1, 2], sizes = [1, 4]>] : !bsp.buffer<4x8xf32>) outs(%[[S]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>)
// CHECK-NEXT: bsp.copy_vertex tile(2) ins(%[[A]] [#bsp.box<offsets = [2, 2], sizes = [1, 4]>] : !bsp.buffer<4x8xf32>) outs(%[[S]] [#bsp.box<offsets = [1, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>)
// CHECK-NEXT: }
// CHECK: bsp.compute_set "tensor.insert_slice#2.dest" {
// CHECK-COUNT-4: bsp.copy_vertex tile({{[0-3]}}) ins(%[[A]]
// CHECK: bsp.exchange "tensor.insert_slice#2" {
// CHECK-NEXT: bsp.copy %[[S]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<2x4xf32> -> %[[I]] [#bsp.box<offsets = [0, 4], sizes = [2, 4]>] : !bsp.buffer<4x8xf32>
// CHECK-NEXT: }
func.func @main(%a: tensor<4x8xf32> {ipuc.name = "a"}) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %s = tensor.extract_slice %a[1, 2] [2, 4] [1, 1] : tensor<4x8xf32> to tensor<2x4xf32>
  %i = tensor.insert_slice %s into %a[0, 4] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<4x8xf32>
  return %i, %a : tensor<4x8xf32>, tensor<4x8xf32>
}
