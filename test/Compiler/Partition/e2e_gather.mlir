// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 | FileCheck %s
// Gathers (generics reading a tensor at computed indices): rows of a table
// mapped over several tiles, picked by constant indices, and a lookup in a
// constant table indexed by an input-derived value; against the host device.
// CHECK-DAG: MATCH rows 2x5x40
// CHECK-DAG: MATCH lookup 6x10
func.func @main(%t: tensor<2x30x40xf32>, %x: tensor<6x10xf32>)
    -> (tensor<2x5x40xf32> {ipuc.name = "rows"}, tensor<6x10xf32> {ipuc.name = "lookup"}) {
  %i = "tosa.const"() {value = dense<[[0, 29, 3, 3, 17], [28, 1, 0, 9, 12]]> : tensor<2x5xi32>} : () -> tensor<2x5xi32>
  %g = tosa.gather %t, %i : (tensor<2x30x40xf32>, tensor<2x5xi32>) -> tensor<2x5x40xf32>
  %r = tosa.exp %g : (tensor<2x5x40xf32>) -> tensor<2x5x40xf32>
  %table = arith.constant dense<[1.0, -2.0, 3.5, 4.0, 0.25, -6.0, 7.0, 8.5]> : tensor<8xf32>
  %e = tensor.empty() : tensor<6x10xf32>
  %l = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<6x10xf32>) outs(%e : tensor<6x10xf32>) {
  ^bb0(%v: f32, %o: f32):
    // An index in [0, 8) from the input: floor(|v| * 8) mod 8.
    %c8 = arith.constant 8.0 : f32
    %av = math.absf %v : f32
    %sv = arith.mulf %av, %c8 : f32
    %iv = arith.fptosi %sv : f32 to i32
    %c8i = arith.constant 8 : i32
    %m = arith.remsi %iv, %c8i : i32
    %ix = arith.index_cast %m : i32 to index
    %y = tensor.extract %table[%ix] : tensor<8xf32>
    %s = arith.addf %y, %v : f32
    linalg.yield %s : f32
  } -> tensor<6x10xf32>
  return %r, %l : tensor<2x5x40xf32>, tensor<6x10xf32>
}
