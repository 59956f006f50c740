// RUN: ipu-opt --allow-unregistered-dialect %s -split-input-file -verify-diagnostics
// One case per error of #bsp.grid.

// expected-error@+1 {{grid 1x0x1x1 with 1 k chunks needs counts of at least 1}}
"test.op"() {g = #bsp.grid<pb = 1, pm = 0, pn = 1, pk = 1>} : () -> ()

// -----

// expected-error@+1 {{grid 1x1x1x1 with 0 k chunks needs counts of at least 1}}
"test.op"() {g = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1, k_chunks = 0>} : () -> ()

// -----

// expected-error@+1 {{grid cycles and bytes_per_tile must be non-negative}}
"test.op"() {g = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1, bytes_per_tile = -4>} : () -> ()

// -----

// A split count cannot be left out.
// expected-error@+1 {{struct is missing required parameter: pk}}
"test.op"() {g = #bsp.grid<pb = 1, pm = 1, pn = 1>} : () -> ()
