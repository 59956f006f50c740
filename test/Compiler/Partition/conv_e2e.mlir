// RUN: %python %S/Inputs/conv_model.py 2 17 15 6 10 3 3 2 1 0 > %t.s2.mlir
// RUN: %python %S/Inputs/compare_sim_host.py %t.s2.mlir %t.s2 --tiles=6 --atol=1e-4 | FileCheck %s --check-prefix=S2
// RUN: %python %S/Inputs/conv_model.py 1 12 12 5 4 3 3 1 2 1 > %t.d2.mlir
// RUN: %python %S/Inputs/compare_sim_host.py %t.d2.mlir %t.d2 --tiles=16 --atol=1e-4 | FileCheck %s --check-prefix=D2
// RUN: echo '{"tiles_per_chip": 4, "sram_bytes_per_tile": 65536}' > %t.json
// RUN: %python %S/Inputs/conv_model.py 1 16 16 64 8 3 3 1 1 2 > %t.ch.mlir
// RUN: ipuc %t.ch.mlir --target=ipu --device=%t.json --emit=bsp | FileCheck %s --check-prefix=CHUNKS
// RUN: %python %S/Inputs/compare_sim_host.py %t.ch.mlir %t.ch --tiles=4 --atol=1e-4 --device=%t.json | FileCheck %s --check-prefix=CH

// tosa.conv2d with a non-splat filter and bias, planned on the implicit-GEMM
// grid, equals the host device: stride 2 over images and row blocks,
// dilation 2, and input channels in serial chunks on small tiles.
// S2: MATCH y 2x8x7x10
// D2: MATCH y 1x8x8x4
// CHUNKS: bsp.compute_set "linalg.conv_2d_nhwc_fhwc{{.*}}.k1" attributes {grid = "1x4x1x1", k_chunks = 2 : i64}
// CH: MATCH y 1x14x14x8
