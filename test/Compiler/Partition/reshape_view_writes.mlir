// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=2" %s | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t --tiles=2 | FileCheck %s --check-prefix=MATCH
// A view is never written in place: the insert_slice into the reshaped %r
// first copies it into a tensor of its own (".dest"), so that %m (returned
// as output1), whose memory %r shares, keeps its values. The sim's outputs
// equal the host device's.
// CHECK: %[[M:.*]] = bsp.tensor "output1" role(output)
// CHECK: %[[R:.*]] = bsp.tensor "tensor.expand_shape#3" role(intermediate) view_of(%[[M]]
// CHECK: %[[D:.*]] = bsp.tensor "output0" role(output) mapping
// CHECK: bsp.compute_set "tensor.insert_slice#4.dest"
// CHECK-NEXT: bsp.copy_vertex {{.*}}ins(%[[R]] {{.*}}outs(%[[D]]
// CHECK: bsp.exchange "tensor.insert_slice#4"
// CHECK-NEXT: bsp.copy {{.*}} -> %[[D]]
// MATCH-DAG: MATCH output0
// MATCH-DAG: MATCH output1
func.func @main(%a: tensor<8xf32>, %s: tensor<1x2xf32>) -> (tensor<2x4xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<8xf32>
  %r = tensor.expand_shape %m [[0, 1]] output_shape [2, 4] : tensor<8xf32> into tensor<2x4xf32>
  %i = tensor.insert_slice %s into %r[0, 1] [1, 2] [1, 1] : tensor<1x2xf32> into tensor<2x4xf32>
  return %i, %m : tensor<2x4xf32>, tensor<8xf32>
}
