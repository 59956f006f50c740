// RUN: ipu-opt %s -split-input-file -verify-diagnostics
// One case per verifier error of the bsp dialect.

// expected-error@+1 {{needs at least one tile}}
bsp.program @p attributes {device = #bsp.device<name = "z", tiles = 0, sram_bytes = 1, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
}

// -----

// expected-error@+1 {{needs a positive sram_bytes}}
bsp.program @p attributes {device = #bsp.device<name = "z", tiles = 1, sram_bytes = 0, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
}

// -----

// expected-error@+1 {{needs at least one worker thread}}
bsp.program @p attributes {device = #bsp.device<name = "z", tiles = 1, sram_bytes = 1, clock_hz = 1.0, workers = 0, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
}

// -----

// expected-error@+1 {{needs a positive clock and positive throughputs}}
bsp.program @p attributes {device = #bsp.device<name = "z", tiles = 1, sram_bytes = 1, clock_hz = 0.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
}

// -----

// expected-error@+1 {{has negative sync_cycles}}
bsp.program @p attributes {device = #bsp.device<name = "z", tiles = 1, sram_bytes = 1, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = -1>} {
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval tile -1 is negative}}
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<-1, 0, 4, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval [4, 4) is empty or negative}}
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 4, 4, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval address -8 is negative}}
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 4, -8>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{box has 1 offsets but 2 sizes}}
    bsp.fill_vertex tile(0) outs(%a [#bsp.box<offsets = [0], sizes = [2, 2]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{box offsets must be non-negative}}
    bsp.fill_vertex tile(0) outs(%a [#bsp.box<offsets = [-1], sizes = [2]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{box sizes must be positive}}
    bsp.fill_vertex tile(0) outs(%a [#bsp.box<offsets = [0], sizes = [0]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{buffer element type must be an integer or float}}
  %t = bsp.tensor "t" role(intermediate) mapping [] : !bsp.buffer<4xcomplex<f32>>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  // expected-note@+1 {{first used here}}
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
// expected-error@+1 {{name 'a' is already used}}
  %t = bsp.tensor "a" role(intermediate) mapping [] : !bsp.buffer<4xf32>
}

// -----

// expected-error@+1 {{tile 1 needs 512 bytes but device 'tiny' has 256 bytes per tile; largest tensors on it: 'big' (256 bytes), 'b' (8 bytes)}}
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  %big = bsp.tensor "big" role(intermediate) mapping [#bsp.interval<1, 0, 64, 256>] : !bsp.buffer<64xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{constant tensor 'k' needs a value}}
  %k = bsp.tensor "k" role(constant) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{only constant and parameter tensors carry a value, but 'k' is input}}
  %k = bsp.tensor "k" role(input) mapping [#bsp.interval<0, 0, 4, 0>] value(dense<0.0> : tensor<4xf32>) : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{value of type 'tensor<4xf16>' does not match '!bsp.buffer<4xf32>'}}
  %k = bsp.tensor "k" role(parameter) mapping [#bsp.interval<0, 0, 4, 0>] value(dense<0.0> : tensor<4xf16>) : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval #0 [0, 5) of 'k' is outside its 4 elements}}
  %k = bsp.tensor "k" role(intermediate) mapping [#bsp.interval<0, 0, 5, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{intervals of 'k' must be sorted and disjoint: interval #1 begins at 1 before the previous one ends at 2}}
  %k = bsp.tensor "k" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 1, 4, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval #0 of 'k' is on tile 2, but device 'tiny' has 2 tiles}}
  %k = bsp.tensor "k" role(intermediate) mapping [#bsp.interval<2, 0, 4, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval #0 of 'k' holds 400 bytes, more than a tile's 256}}
  %k = bsp.tensor "k" role(intermediate) mapping [#bsp.interval<0, 0, 100, 0>] : !bsp.buffer<100xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{output tensor 'k' must be mapped completely: 2 of 4 elements are mapped}}
  %k = bsp.tensor "k" role(output) mapping [#bsp.interval<0, 0, 2, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{is on tile 2, but device 'tiny' has 2 tiles}}
    bsp.fill_vertex tile(2) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{output #0 box [0:2] has rank 1 but its buffer '!bsp.buffer<2x2xf32>' has rank 2}}
    bsp.fill_vertex tile(0) outs(%m [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<2x2xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{output #0 box [2:6] is outside its buffer '!bsp.buffer<4xf32>' in dim 0}}
    bsp.fill_vertex tile(0) outs(%a [#bsp.box<offsets = [2], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{output #0 box [0:4] of 'b' is not on tile 0: element 2 lives on tile 1}}
    bsp.fill_vertex tile(0) outs(%b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %p = bsp.tensor "p" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{output #0 box [0:4] of 'p' is not on tile 0: element 2 is not mapped}}
    bsp.fill_vertex tile(0) outs(%p [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 0.0 : f32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{takes 2 inputs, found 1}}
    bsp.matmul_vertex tile(0) ins(%m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>) outs(%n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{takes 1 outputs, found 2}}
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>, %a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{needs at least one output}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs()
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32):
      bsp.yield
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{body has 1 arguments, expected 2 (one per input and output)}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{body argument #1 has type 'f16', expected the element type 'f32' of operand #1}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f16):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{body must end with 'bsp.yield'}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{body yields 2 values for 1 outputs}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      bsp.yield %p, %p : f32, f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{yielded value #0 has type 'i32', expected 'f32'}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %z = arith.constant 0 : i32
      bsp.yield %z : i32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{loop bounds must be positive}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 0>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{has 2 iterator types for 1 loops}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel", "parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{iterator type 'window' is neither 'parallel' nor 'reduction'}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["window"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{has 1 indexing maps for 2 operands}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{indexing map #1 must map 1 loops to the 1 dims of its box}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0, d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{indexing map #0 reaches index 4 in dim 0 of its box, whose size is 4}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0 + 1)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// A plain loop dim (the verifier's fast path) past its box.
// expected-error@+1 {{indexing map #1 reaches index 3 in dim 0 of its box, whose size is 2}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %p : f32
      bsp.yield %s : f32
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{lhs box of sizes 4 is not a matrix (rank >= 2, leading sizes 1)}}
    bsp.matmul_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>, %m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>) outs(%n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{lhs is 2x2 but rhs has 1 rows (k must agree)}}
    bsp.matmul_vertex tile(0) ins(%m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>, %n [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<2x2xf32>) outs(%n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{result box is 1x2, expected 2x2}}
    bsp.matmul_vertex tile(0) ins(%m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>, %n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>) outs(%n [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<2x2xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  %h = bsp.tensor "h" role(intermediate) mapping [#bsp.interval<0, 0, 4, 160>] : !bsp.buffer<2x2xf16>
  bsp.compute_set "c" {
// expected-error@+1 {{lhs and rhs element types differ}}
    bsp.matmul_vertex tile(0) ins(%h [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf16>, %m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>) outs(%n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{needs 4-D boxes (NHWC input, FHWC filter, NHWC result)}}
    bsp.conv2d_vertex tile(0) ins(%m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>, %n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>) outs(%n [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{strides and dilations need two positive values}}
    bsp.conv2d_vertex tile(0) ins(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 3, 3, 1]>] : !bsp.buffer<1x3x3x1xf32>, %x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 3, 3, 1]>] : !bsp.buffer<1x3x3x1xf32>) outs(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 1, 1, 1]>] : !bsp.buffer<1x3x3x1xf32>) {strides = array<i64: 0, 1>}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{input has 1 channels, filter 1 per group, groups 2: they do not agree}}
    bsp.conv2d_vertex tile(0) ins(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 3, 3, 1]>] : !bsp.buffer<1x3x3x1xf32>, %x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 3, 3, 1]>] : !bsp.buffer<1x3x3x1xf32>) outs(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 1, 1, 1]>] : !bsp.buffer<1x3x3x1xf32>) {groups = 2}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{result box is 1x1x1x1, expected 1x2x2x1}}
    bsp.conv2d_vertex tile(0) ins(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 3, 3, 1]>] : !bsp.buffer<1x3x3x1xf32>, %x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 2, 2, 1]>] : !bsp.buffer<1x3x3x1xf32>) outs(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 1, 1, 1]>] : !bsp.buffer<1x3x3x1xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{copies 4 elements into a box of 2}}
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%a [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<4xf32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{element types differ}}
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%i [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xi32>)
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{value 0 : i32 must be a scalar of the element type 'f32'}}
    bsp.fill_vertex tile(0) outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 0 : i32}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.compute_set "c" {
// expected-error@-1 {{may only contain vertices, found 'bsp.exchange'}}
    bsp.exchange "e" {
    }
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.exchange "e" {
// expected-error@-1 {{may only contain 'bsp.copy', found 'bsp.sync'}}
    bsp.sync
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.exchange "e" {
// expected-error@+1 {{destination box [0:2, 0:2] has rank 2 but its buffer '!bsp.buffer<4xf32>' has rank 1}}
    bsp.copy %m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32> -> %a [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<4xf32>
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.exchange "e" {
// expected-error@+1 {{copies a box of sizes 2x2 into one of sizes 4}}
    bsp.copy %m [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32> -> %a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
  bsp.exchange "e" {
// expected-error@+1 {{copies 'f32' elements into 'i32'}}
    bsp.copy %a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32> -> %i [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xi32>
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
// expected-error@+1 {{streams 'b', a intermediate tensor; only input tensors are streamed this way}}
  bsp.host_write %b "b" : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
// expected-error@+1 {{streams 'a', a input tensor; only output tensors are streamed this way}}
  bsp.host_read %a "a" : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 2, 16>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %i = bsp.tensor "i" role(intermediate) mapping [#bsp.interval<0, 0, 4, 32>] : !bsp.buffer<4xi32>
  %m = bsp.tensor "m" role(intermediate) mapping [#bsp.interval<0, 0, 4, 48>] : !bsp.buffer<2x2xf32>
  %n = bsp.tensor "n" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>] : !bsp.buffer<2x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 9, 80>] : !bsp.buffer<1x3x3x1xf32>
// expected-error@+1 {{attribute 'count' failed to satisfy constraint}}
  bsp.repeat 0 {
  }
}

// -----

func.func @index_outside_vertex() {
  // expected-error@+1 {{expects parent op 'bsp.generic_vertex'}}
  %i = bsp.index 0
  return
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %i = bsp.tensor "i" role(input) mapping [#bsp.interval<0, 0, 3, 0>] : !bsp.buffer<3xi32>
  %t = bsp.tensor "t" role(input) mapping [#bsp.interval<0, 0, 8, 16>] : !bsp.buffer<4x2xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<0, 0, 6, 48>] : !bsp.buffer<3x2xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{gathered input #1 has body type 'tensor<2x4xf32>', expected a tensor of its box 4x2 of 'f32'}}
    bsp.generic_vertex tile(0)
        ins(%i [#bsp.box<offsets = [0], sizes = [3]>] : !bsp.buffer<3xi32>,
            %t [#bsp.box<offsets = [0, 0], sizes = [4, 2]>] : !bsp.buffer<4x2xf32>)
        outs(%y [#bsp.box<offsets = [0, 0], sizes = [3, 2]>] : !bsp.buffer<3x2xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"], loop_bounds = array<i64: 3, 2>} {
    ^bb0(%ix: i32, %o: f32, %table: tensor<2x4xf32>):
      %r = arith.index_cast %ix : i32 to index
      %c = bsp.index 1
      %v = tensor.extract %table[%r, %c] : tensor<2x4xf32>
      bsp.yield %v : f32
    }
  }
}

// -----

// A program marked `remote_operands` (before ipuc-insert-exchanges) lets
// inputs live on other tiles, but never outputs: exchanges only gather.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>, remote_operands} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<1, 0, 4, 16>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{output #0 box [0:4] of 'b' is not on tile 0: element 0 lives on tile 1}}
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
  }
}

// -----

// Without the mark the same remote input is an error.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 4, 16>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
// expected-error@+1 {{input #0 box [0:4] of 'a' is not on tile 0: element 0 lives on tile 1}}
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
  }
}
