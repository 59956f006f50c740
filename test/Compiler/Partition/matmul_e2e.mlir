// RUN: echo '{"tiles_per_chip": 4, "sram_bytes_per_tile": 131072}' > %t.json
// RUN: ipuc %s --target=ipu --device=%t.json --emit=bsp | FileCheck %s --check-prefix=PLAN
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.serial --tiles=4 --atol=1e-4 --device=%t.json | FileCheck %s
// RUN: %python %S/Inputs/matmul_const_weight.py 1 64 96 40 0 > %t.w.mlir
// RUN: ipuc %t.w.mlir --target=ipu --tiles=4 --emit=bsp | FileCheck %s --check-prefix=HOME
// RUN: %python %S/Inputs/compare_sim_host.py %t.w.mlir %t.w4 --tiles=4 --atol=1e-4 | FileCheck %s --check-prefix=W
// RUN: %python %S/Inputs/compare_sim_host.py %t.w.mlir %t.w16 --tiles=16 --atol=1e-4 | FileCheck %s --check-prefix=W
// RUN: %python %S/Inputs/matmul_const_weight.py 2 32 384 48 1 > %t.wb.mlir
// RUN: ipuc %t.wb.mlir --target=ipu --device=%t.json --emit=bsp | FileCheck %s --check-prefix=HOMESERIAL
// RUN: %python %S/Inputs/compare_sim_host.py %t.wb.mlir %t.wb --tiles=4 --atol=1e-4 --device=%t.json | FileCheck %s --check-prefix=WB

// The simulator's results equal the host device's for the planner's
// special cases: serial k chunks accumulating into a k-split grid (a small
// tile memory forces them), a constant weight homed on its consumers (its
// vertices read their own slice in place), and both at once on a batch.
// PLAN: bsp.compute_set "linalg.batch_matmul#4.k1" attributes {grid = "1x2x1x2", k_chunks = 2 : i64}
// CHECK: MATCH y 1x64x64
// HOME: bsp.tensor "c{{[0-9]+}}" role(constant)
// HOME: bsp.compute_set {{.*}} attributes {grid = "1x2x1x2"}
// HOME: bsp.matmul_vertex tile(0) ins({{.*}}, %{{[0-9]+}} {{.*}} : !bsp.buffer<1x96x40xf32>)
// W: MATCH y 1x64x40
// HOMESERIAL: k_chunks
// HOMESERIAL: bsp.matmul_vertex {{.*}} : !bsp.buffer<2x384x48xf32>) outs({{.*}}) {accumulate = true
// WB: MATCH y 2x32x48
func.func @main(%a: tensor<1x64x512xf32>, %b: tensor<1x512x64xf32>)
    -> (tensor<1x64x64xf32> {ipuc.name = "y"}) {
  %0 = tosa.matmul %a, %b : (tensor<1x64x512xf32>, tensor<1x512x64xf32>) -> tensor<1x64x64xf32>
  return %0 : tensor<1x64x64xf32>
}
