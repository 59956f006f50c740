// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 | FileCheck %s
// The tensor ops written directly: a rank-reducing extract_slice, an
// insert_slice into a function input (which must not be updated in place),
// and tensor.concat, against the host device.
// CHECK-DAG: MATCH row 7
// CHECK-DAG: MATCH inserted 6x7
// CHECK-DAG: MATCH input 6x7
// CHECK-DAG: MATCH cat 8x7
func.func @main(%a: tensor<6x7xf32>, %b: tensor<2x3xf32>)
    -> (tensor<7xf32> {ipuc.name = "row"}, tensor<6x7xf32> {ipuc.name = "inserted"},
        tensor<6x7xf32> {ipuc.name = "input"}, tensor<8x7xf32> {ipuc.name = "cat"}) {
  %row = tensor.extract_slice %a[4, 0] [1, 7] [1, 1] : tensor<6x7xf32> to tensor<7xf32>
  %ins = tensor.insert_slice %b into %a[3, 2] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<6x7xf32>
  %top = tensor.extract_slice %a[0, 0] [2, 7] [1, 1] : tensor<6x7xf32> to tensor<2x7xf32>
  %cat = tensor.concat dim(0) %a, %top : (tensor<6x7xf32>, tensor<2x7xf32>) -> tensor<8x7xf32>
  return %row, %ins, %a, %cat : tensor<7xf32>, tensor<6x7xf32>, tensor<6x7xf32>, tensor<8x7xf32>
}
