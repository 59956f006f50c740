// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" %s | FileCheck %s --check-prefix=PRE
// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --ipuc-insert-exchanges %s | FileCheck %s --check-prefix=POST

// ipuc-partition-to-bsp leaves remote operands to ipuc-insert-exchanges: a
// negated transpose (a pure one is an exchange, transpose_exchange.mlir)
// split along its output's rows reads, on each tile, a column
// block of its input that lives on all four tiles. The partitioner's vertex
// reads that box of the input itself and marks the program; the pass then
// stages it on the vertex's tile before the compute set, the four tiles'
// boxes in one staging tensor, a 64x16 block on each tile.
// PRE: bsp.program @main attributes {{.*}}remote_operands
// PRE: %[[A:.*]] = bsp.tensor "input0" role(input)
// PRE-NOT: bsp.exchange
// PRE: bsp.compute_set "linalg.generic#2"
// PRE-NEXT: bsp.generic_vertex tile(0) ins(%[[A]] [#bsp.box<offsets = [0, 0], sizes = [64, 16]>] : !bsp.buffer<64x64xf32>)
// PRE-NOT: bsp.exchange

// POST-NOT: remote_operands
// POST: %[[A:.*]] = bsp.tensor "input0" role(input)
// POST: %[[S:.*]] = bsp.tensor "linalg.generic#2.input0.staged" role(intermediate) mapping [#bsp.interval<0, 0, 1024, 0>, #bsp.interval<1, 1024, 2048, 0>, #bsp.interval<2, 2048, 3072, 0>, #bsp.interval<3, 3072, 4096, 0>] : !bsp.buffer<256x16xf32>
// POST: bsp.exchange "linalg.generic#2.gather" {
// POST-NEXT: bsp.copy %[[A]] [#bsp.box<offsets = [0, 0], sizes = [64, 16]>] : !bsp.buffer<64x64xf32> -> %[[S]] [#bsp.box<offsets = [0, 0], sizes = [64, 16]>]
// POST: bsp.compute_set "linalg.generic#2"
// POST-NEXT: bsp.generic_vertex tile(0) ins(%[[S]] [#bsp.box<offsets = [0, 0], sizes = [64, 16]>] : !bsp.buffer<256x16xf32>)
// POST: bsp.generic_vertex tile(3) ins(%[[S]] [#bsp.box<offsets = [192, 0], sizes = [64, 16]>] : !bsp.buffer<256x16xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
func.func @main(%a: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %e = tensor.empty() : tensor<64x64xf32>
  %t = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<64x64xf32>
  return %t : tensor<64x64xf32>
}
