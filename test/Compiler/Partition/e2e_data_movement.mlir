// RUN: %python %S/Inputs/compare_sim_host.py %s %t.3 --tiles=3 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 | FileCheck %s
// Slices, concats and pads (tosa, lowered to extract_slice, insert_slice
// chains into tensor.empty, and tensor.pad) on the simulator against the
// host device, on shapes whose mappings cut rows across tiles; also a slice
// of a computed tensor and an op consuming a slice.
// CHECK-DAG: MATCH slice 5x7
// CHECK-DAG: MATCH concat 9x20
// CHECK-DAG: MATCH pad 12x23
// CHECK-DAG: MATCH chain 9x7
func.func @main(%a: tensor<9x20xf32>, %b: tensor<9x13xf32>)
    -> (tensor<5x7xf32> {ipuc.name = "slice"}, tensor<9x20xf32> {ipuc.name = "concat"},
        tensor<12x23xf32> {ipuc.name = "pad"}, tensor<9x7xf32> {ipuc.name = "chain"}) {
  %s = tosa.slice %a {start = array<i64: 3, 11>, size = array<i64: 5, 7>} : (tensor<9x20xf32>) -> tensor<5x7xf32>
  %l = tosa.slice %a {start = array<i64: 0, 0>, size = array<i64: 9, 7>} : (tensor<9x20xf32>) -> tensor<9x7xf32>
  %c = tosa.concat %l, %b {axis = 1 : i32} : (tensor<9x7xf32>, tensor<9x13xf32>) -> tensor<9x20xf32>
  %pp = "tosa.const"() {value = dense<[[1, 2], [0, 3]]> : tensor<2x2xi64>} : () -> tensor<2x2xi64>
  %pv = "tosa.const"() {value = dense<-1.5> : tensor<f32>} : () -> tensor<f32>
  %p = tosa.pad %a, %pp, %pv : (tensor<9x20xf32>, tensor<2x2xi64>, tensor<f32>) -> tensor<12x23xf32>
  %e = tosa.exp %b : (tensor<9x13xf32>) -> tensor<9x13xf32>
  %es = tosa.slice %e {start = array<i64: 0, 6>, size = array<i64: 9, 7>} : (tensor<9x13xf32>) -> tensor<9x7xf32>
  %ch = tosa.add %es, %l : (tensor<9x7xf32>, tensor<9x7xf32>) -> tensor<9x7xf32>
  return %s, %c, %p, %ch : tensor<5x7xf32>, tensor<9x20xf32>, tensor<12x23xf32>, tensor<9x7xf32>
}
