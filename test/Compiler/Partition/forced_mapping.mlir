// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --split-input-file %s | FileCheck %s
// RUN: ipu-opt --ipuc-plan-tile-mapping="tiles=4" --split-input-file %s | FileCheck %s --check-prefix=KEPT
// A written `ipuc.mapping` is honoured by the partitioner and kept by the
// planning pass.

// Linear over at most 2 tiles: 4096 elements in two chunks from the cursor
// (the inputs took tiles 0-3 and 0-3 again, so the cursor is back at 0).
// CHECK-LABEL: bsp.program @main
// CHECK: bsp.tensor "output0" role(output) mapping [#bsp.interval<0, 0, 2048, 0>, #bsp.interval<1, 2048, 4096, 0>] :
// KEPT: ipuc.mapping = {tiles = 2 : i64}
func.func @main(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %e = tensor.empty() : tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) attrs = {ipuc.mapping = {tiles = 2 : i64}} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// Operand #1's mapping: %b's three chunks on tiles 1-3 (%a took tile 0),
// where a fresh linear mapping would have started at the cursor (tile 0).
// CHECK-LABEL: bsp.program @main
// CHECK: bsp.tensor "input1" role(input) mapping [#bsp.interval<1, 0, 64, 0>, #bsp.interval<2, 64, 128, 0>, #bsp.interval<3, 128, 192, 0>] :
// CHECK: bsp.tensor "output0" role(output) mapping [#bsp.interval<1, 0, 64, 0>, #bsp.interval<2, 64, 128, 0>, #bsp.interval<3, 128, 192, 0>] :
// KEPT: ipuc.mapping = {operand = 1 : i64}
func.func @main(%a: tensor<1x6xf32>, %b: tensor<32x6xf32>) -> tensor<32x6xf32> {
  %e = tensor.empty() : tensor<32x6xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(0,d1)>, affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%a, %b : tensor<1x6xf32>, tensor<32x6xf32>) outs(%e : tensor<32x6xf32>) attrs = {ipuc.mapping = {operand = 1 : i64}} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<32x6xf32>
  return %r : tensor<32x6xf32>
}
