// RUN: ipu-opt --allow-unregistered-dialect %s | FileCheck %s
// RUN: ipu-opt --allow-unregistered-dialect %s \
// RUN:   | ipu-opt --allow-unregistered-dialect | FileCheck %s

// #bsp.grid round-trips as a discardable attribute of any op; k_chunks,
// cycles and bytes_per_tile are omitted at their defaults (1, 0, 0).
// CHECK-LABEL: func.func @grids
// CHECK: "test.full"() {g = #bsp.grid<pb = 2, pm = 3, pn = 4, pk = 5, k_chunks = 6, cycles = 7, bytes_per_tile = 8>}
// CHECK: "test.defaults"() {g = #bsp.grid<pb = 1, pm = 2, pn = 1, pk = 1>}
// CHECK: "test.some"() {g = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1, bytes_per_tile = 64>}
func.func @grids() {
  "test.full"() {g = #bsp.grid<pb = 2, pm = 3, pn = 4, pk = 5, k_chunks = 6, cycles = 7, bytes_per_tile = 8>} : () -> ()
  "test.defaults"() {g = #bsp.grid<pb = 1, pm = 2, pn = 1, pk = 1, k_chunks = 1>} : () -> ()
  "test.some"() {g = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1, bytes_per_tile = 64>} : () -> ()
  return
}
