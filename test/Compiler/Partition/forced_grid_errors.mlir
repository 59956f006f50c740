// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --split-input-file --verify-diagnostics %s
// RUN: ipu-opt --ipuc-plan-matmul-grids="tiles=4" --split-input-file --verify-diagnostics %s
// A written grid that the lowerings cannot build is a located error, from
// the partitioner and from the planning pass alike.

func.func @main(%a: tensor<24x40xf32>, %b: tensor<40x20xf32>) -> tensor<24x20xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<24x20xf32>) -> tensor<24x20xf32>
  // expected-error@+1 {{grid 1x2x3x1 needs 6 tiles but the device has 4}}
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 3, pk = 1>}
      ins(%a, %b : tensor<24x40xf32>, tensor<40x20xf32>) outs(%f : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %m : tensor<24x20xf32>
}

// -----

func.func @main(%a: tensor<24x40xf32>, %b: tensor<40x20xf32>) -> tensor<24x20xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<24x20xf32>) -> tensor<24x20xf32>
  // expected-error@+1 {{grid 2x1x1x1 splits a batch dimension that a rank-2 linalg.matmul does not have (pb must be 1)}}
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 2, pm = 1, pn = 1, pk = 1>}
      ins(%a, %b : tensor<24x40xf32>, tensor<40x20xf32>) outs(%f : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %m : tensor<24x20xf32>
}

// -----

func.func @main(%x: tensor<1x10x10x8xf32>, %w: tensor<6x3x3x8xf32>) -> tensor<1x8x8x6xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x6xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32>
  // expected-error@+1 {{grid 1x1x1x2 splits k over 2 tiles but this op's lowering has no partial-sum reduce (pk must be at most 1)}}
  %c = linalg.conv_2d_nhwc_fhwc {ipuc.grid = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 2>}
      ins(%x, %w : tensor<1x10x10x8xf32>, tensor<6x3x3x8xf32>) outs(%f : tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32>
  return %c : tensor<1x8x8x6xf32>
}

// -----

func.func @main(%a: tensor<2x40xf32>, %b: tensor<40x20xf32>) -> tensor<2x20xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x20xf32>) -> tensor<2x20xf32>
  // expected-error@+1 {{grid 1x4x1x1 has pm = 4 blocks along a dim of 2}}
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 4, pn = 1, pk = 1>}
      ins(%a, %b : tensor<2x40xf32>, tensor<40x20xf32>) outs(%f : tensor<2x20xf32>) -> tensor<2x20xf32>
  return %m : tensor<2x20xf32>
}

// -----

func.func @main(%a: tensor<24x8xf32>, %b: tensor<8x20xf32>) -> tensor<24x20xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<24x20xf32>) -> tensor<24x20xf32>
  // k = 8 over pk = 2 leaves 4 k rows per block.
  // expected-error@+1 {{k_chunks = 5 is more chunks than the 4 k rows of a block}}
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 2, k_chunks = 5>}
      ins(%a, %b : tensor<24x8xf32>, tensor<8x20xf32>) outs(%f : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %m : tensor<24x20xf32>
}

// -----

func.func @main(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  // Three 256 KiB blocks on one gc200 tile (624 KiB).
  // expected-error@+1 {{grid 1x1x1x1 with 1 k chunks needs 786432 bytes per tile for its blocks, more than the 638976 bytes of a tile's memory}}
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1>}
      ins(%a, %b : tensor<256x256xf32>, tensor<256x256xf32>) outs(%f : tensor<256x256xf32>) -> tensor<256x256xf32>
  return %m : tensor<256x256xf32>
}

// -----

func.func @main(%a: tensor<24x40xf32>, %b: tensor<40x20xf32>) -> tensor<24x20xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<24x20xf32>) -> tensor<24x20xf32>
  // expected-error@+1 {{'ipuc.grid' must be a #bsp.grid, not "1x2x2x1"}}
  %m = linalg.matmul {ipuc.grid = "1x2x2x1"}
      ins(%a, %b : tensor<24x40xf32>, tensor<40x20xf32>) outs(%f : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %m : tensor<24x20xf32>
}

// -----

// An elementwise op is split along its output, never on a block grid.
func.func @main(%a: tensor<24x20xf32>, %b: tensor<24x20xf32>) -> tensor<24x20xf32> {
  %e = tensor.empty() : tensor<24x20xf32>
  // expected-error@+1 {{'ipuc.grid' cannot be honoured: this op is not lowered on a block grid (only linalg.matmul, linalg.batch_matmul and linalg.conv_2d_nhwc_fhwc of one float type are)}}
  %s = linalg.add {ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 2, pk = 1>}
      ins(%a, %b : tensor<24x20xf32>, tensor<24x20xf32>) outs(%e : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %s : tensor<24x20xf32>
}

// -----

// A matmul accumulating onto a non-zero init takes the generic split too.
func.func @main(%a: tensor<24x40xf32>, %b: tensor<40x20xf32>, %c: tensor<24x20xf32>) -> tensor<24x20xf32> {
  // expected-error@+1 {{'ipuc.grid' cannot be honoured}}
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 1, pk = 1>}
      ins(%a, %b : tensor<24x40xf32>, tensor<40x20xf32>) outs(%c : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %m : tensor<24x20xf32>
}
