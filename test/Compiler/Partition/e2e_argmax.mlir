// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 | FileCheck %s
// Two-output reductions: every vertex must own all of its output boxes, so
// each output is mapped like the first one (split along the parallel dims or
// whole on one tile), not like its init.
// tosa.argmax lowers to a linalg.generic with two outputs (the index and the
// running max) that reads linalg.index, so it runs whole on one tile.
// CHECK-DAG: MATCH inner 24
// CHECK-DAG: MATCH outer 100
// CHECK-DAG: MATCH small 3
// A sum and a max in one generic is split across the tiles along dim 0;
// its two inits (fills) are mapped independently of each other.
// CHECK-DAG: MATCH sum 2048
// CHECK-DAG: MATCH max 2048
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @main(%a: tensor<24x100xf32>, %b: tensor<5x3xf32>, %c: tensor<2048x8xf32>)
    -> (tensor<24xi32> {ipuc.name = "inner"}, tensor<100xi32> {ipuc.name = "outer"}, tensor<3xi32> {ipuc.name = "small"},
        tensor<2048xf32> {ipuc.name = "sum"}, tensor<2048xf32> {ipuc.name = "max"}) {
  %0 = tosa.argmax %a {axis = 1 : i32} : (tensor<24x100xf32>) -> tensor<24xi32>
  %1 = tosa.argmax %a {axis = 0 : i32} : (tensor<24x100xf32>) -> tensor<100xi32>
  %2 = tosa.argmax %b {axis = 0 : i32} : (tensor<5x3xf32>) -> tensor<3xi32>
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<2048xf32>
  %e1 = tensor.empty() : tensor<2048xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2048xf32>) -> tensor<2048xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<2048xf32>) -> tensor<2048xf32>
  %r:2 = linalg.generic {indexing_maps = [#in, #out, #out],
                         iterator_types = ["parallel", "reduction"]}
      ins(%c : tensor<2048x8xf32>) outs(%s0, %m0 : tensor<2048xf32>, tensor<2048xf32>) {
  ^bb0(%x: f32, %s: f32, %m: f32):
    %ns = arith.addf %s, %x : f32
    %nm = arith.maximumf %m, %x : f32
    linalg.yield %ns, %nm : f32, f32
  } -> (tensor<2048xf32>, tensor<2048xf32>)
  return %0, %1, %2, %r#0, %r#1 : tensor<24xi32>, tensor<100xi32>, tensor<3xi32>, tensor<2048xf32>, tensor<2048xf32>
}
