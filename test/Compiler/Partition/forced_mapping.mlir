// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --split-input-file %s | FileCheck %s
// RUN: ipu-opt --ipuc-plan-tile-mapping="tiles=4" --split-input-file %s | FileCheck %s --check-prefix=KEPT
// A written `ipuc.mapping` is honoured by the partitioner and kept by the
// planning pass.

// Linear over at most 2 tiles: 4096 elements in two chunks from tile 0,
// where every mapping starts.
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

// Operand #1's mapping: %c, mapped over 2 tiles by its own written
// mapping (two chunks of 96 on tiles 0-1), where a fresh linear mapping of
// 192 elements would have been three chunks of 64 on tiles 0-2.
// CHECK-LABEL: bsp.program @main
// CHECK: bsp.tensor "output0" role(output) mapping [#bsp.interval<0, 0, 96, 0>, #bsp.interval<1, 96, 192, 0>] :
// KEPT: ipuc.mapping = {tiles = 2 : i64}
// KEPT: ipuc.mapping = {operand = 1 : i64}
func.func @main(%a: tensor<1x6xf32>, %b: tensor<32x6xf32>) -> tensor<32x6xf32> {
  %e = tensor.empty() : tensor<32x6xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%b : tensor<32x6xf32>) outs(%e : tensor<32x6xf32>) attrs = {ipuc.mapping = {tiles = 2 : i64}} {
  ^bb0(%y: f32, %o: f32):
    %s = arith.addf %y, %y : f32
    linalg.yield %s : f32
  } -> tensor<32x6xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(0,d1)>, affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%a, %c : tensor<1x6xf32>, tensor<32x6xf32>) outs(%e : tensor<32x6xf32>) attrs = {ipuc.mapping = {operand = 1 : i64}} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<32x6xf32>
  return %r : tensor<32x6xf32>
}
