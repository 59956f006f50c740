// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=16" --ipuc-insert-exchanges --split-input-file %s | FileCheck %s

// A row sum of 2x256: two output elements (one tile's worth) but 256 reduced
// each. Stage 1 cuts the reduced dim into sqrt(256) = 16 chunks, one per
// tile, each accumulating into its slab of a [16, 2] partial tensor that
// starts at the combiner's identity; stage 2 adds the 16 partials into the
// op's init on the output's tile. The 16 chunks of the input, gathered
// onto their 16 tiles, are one staging tensor: one 2x16 block per tile, in
// tile order. Every mapping starts at tile 0 (the output and partial 0
// there, partial p on tile p), so the combine reads partial 0 on its own
// tile.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SLAB:.*]] = affine_map<(d0, d1) -> (0, d0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: bsp.program @main
// CHECK: %[[O:.*]] = bsp.tensor "output0" role(output) mapping [#bsp.interval<0, 0, 2, 0>]
// CHECK: %[[P:.*]] = bsp.tensor "linalg.generic#4.partial" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>,
// CHECK-SAME: #bsp.interval<15, 30, 32, 0>] : !bsp.buffer<16x2xf32>
// CHECK: %[[IN:.*]] = bsp.tensor "linalg.generic#4.partials.input0.staged" role(intermediate) mapping [#bsp.interval<0, 0, 32, 0>, #bsp.interval<1, 32, 64, 0>,
// CHECK-SAME: #bsp.interval<15, 480, 512, 0>] : !bsp.buffer<32x16xf32>
// CHECK: bsp.compute_set "linalg.generic#4.identity" {
// CHECK-COUNT-16: bsp.fill_vertex tile({{[0-9]+}}) outs(%[[P]] {{.*}} {value = 0.000000e+00 : f32}
// CHECK: bsp.exchange "linalg.generic#4.partials.gather"
// CHECK: bsp.compute_set "linalg.generic#4.partials" {
// CHECK-NEXT: bsp.generic_vertex tile(0) ins(%[[IN]] [#bsp.box<offsets = [0, 0], sizes = [2, 16]>] : !bsp.buffer<32x16xf32>) outs(%[[P]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<16x2xf32>)
// CHECK-SAME: indexing_maps = [#[[ID]], #[[SLAB]]], iterator_types = ["parallel", "reduction"], loop_bounds = array<i64: 2, 16>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: bsp.generic_vertex tile(15) ins(%[[IN]] [#bsp.box<offsets = [30, 0], sizes = [2, 16]>] : !bsp.buffer<32x16xf32>) outs(%[[P]] [#bsp.box<offsets = [15, 0], sizes = [1, 2]>] : !bsp.buffer<16x2xf32>)
// CHECK: bsp.exchange "linalg.generic#4.combine.gather"
// CHECK: bsp.compute_set "linalg.generic#4.combine" {
// CHECK-NEXT: bsp.generic_vertex tile(0) ins(%{{.*}} [#bsp.box<offsets = [0, 0], sizes = [16, 2]>] : !bsp.buffer<16x2xf32>) outs(%[[O]] [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<2xf32>)
// CHECK-SAME: indexing_maps = [#[[ID]], #[[OUT]]], iterator_types = ["reduction", "parallel"], loop_bounds = array<i64: 16, 2>
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[ACC]] : f32
// CHECK-NEXT: bsp.yield %[[S]] : f32
// CHECK-NOT: bsp.generic_vertex
// CHECK: bsp.host_read

func.func @main(%a: tensor<2x256xf32>) -> tensor<2xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<2x256xf32>) outs(%f : tensor<2xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %r = arith.addf %sq, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  return %s : tensor<2xf32>
}

// -----

// A max over a short axis stays in one stage: splitting 4 elements saves
// less than the extra superstep costs.
// CHECK-LABEL: bsp.program @main
// CHECK-NOT: partial
// CHECK: bsp.compute_set "linalg.reduce#4" {
// CHECK-NEXT: bsp.generic_vertex tile({{[0-9]+}}) ins(%{{.*}} [#bsp.box<offsets = [0, 0], sizes = [2, 4]>]
// CHECK-NOT: partial
// CHECK: bsp.host_read
func.func @main(%a: tensor<2x4xf32>) -> tensor<2xf32> {
  %z = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %m = linalg.reduce ins(%a : tensor<2x4xf32>) outs(%f : tensor<2xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %r = arith.maximumf %x, %acc : f32
      linalg.yield %r : f32
    }
  return %m : tensor<2xf32>
}
