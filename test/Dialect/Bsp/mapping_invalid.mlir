// RUN: ipu-opt %s -split-input-file -verify-diagnostics
// Malformed #bsp.mapping text, in bsp.tensor's form and the generic form.
// (The checks of one interval are in invalid.mlir.)

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{invalid kind of attribute specified}}
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>, 7] : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{expected '['}}
  %t = bsp.tensor "t" role(intermediate) mapping #bsp.interval<0, 0, 4, 0> : !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{interval tile -1 is negative}}
  %t = "bsp.tensor"() <{mapping = #bsp.mapping<[#bsp.interval<-1, 0, 4, 0>]>, name = "t", role = 0 : i32}> : () -> !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// expected-error@+1 {{expected '<'}}
  %t = "bsp.tensor"() <{mapping = #bsp.mapping[#bsp.interval<0, 0, 4, 0>], name = "t", role = 0 : i32}> : () -> !bsp.buffer<4xf32>
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
// An array of intervals (the attribute a mapping once was) is not a mapping.
// expected-error@+1 {{Invalid attribute `mapping` in property conversion}}
  %t = "bsp.tensor"() <{mapping = [#bsp.interval<0, 0, 4, 0>], name = "t", role = 0 : i32}> : () -> !bsp.buffer<4xf32>
}
