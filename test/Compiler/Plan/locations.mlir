// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Kernel locations follow the importer's NameLoc("node (OpType)",
// FileLineColLoc(model, index, 0)) convention; fused ops join the node names.
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc(#relu)
  %b = linalg.negf ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc(#fused)
  return %b : tensor<4xf32>
}
#m1 = loc("model.onnx":1:0)
#m2 = loc("model.onnx":2:0)
#relu = loc("conv1 (Exp)"(#m1))
#neg = loc("neg_1 (Neg)"(#m2))
#fused = loc(fused[#relu, #neg])

// CHECK: kernel 0 linalg.exp loc("model.onnx: node 'conv1' (Exp)")
// CHECK: kernel 1 linalg.negf loc("model.onnx: node 'conv1' (Exp), node 'neg_1' (Neg)")
