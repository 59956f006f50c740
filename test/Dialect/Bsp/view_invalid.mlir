// RUN: ipu-opt %s -split-input-file -verify-diagnostics --allow-unregistered-dialect
// One case per verifier error of a view (bsp.tensor view_of).

bsp.program @p attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = "test.buffer"() : () -> !bsp.buffer<4xf32>
  // expected-error@+1 {{view 'v' must view a bsp.tensor}}
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  // expected-error@+1 {{view 'v' must be an intermediate or an output, not input}}
  %v = bsp.tensor "v" role(input) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<2x2xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  // expected-error@+1 {{view 'v' of type '!bsp.buffer<8xf32>' must have the element type and element count of its source 'x' ('!bsp.buffer<4xf32>')}}
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<8xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  // expected-error@+1 {{view 'v' of type '!bsp.buffer<4xf16>' must have the element type and element count of its source 'x'}}
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf16>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  // expected-error@+1 {{view 'v' has 2 intervals but its source 'x' has 1; a view has its source's mapping}}
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>] : !bsp.buffer<2x2xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  // A view at other addresses would alias other memory than its source's.
  // expected-error@+1 {{interval #0 of view 'v' differs from its source 'x''s; a view has its source's mapping}}
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 4, 16>] : !bsp.buffer<2x2xf32>
}
