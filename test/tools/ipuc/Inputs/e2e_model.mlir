// A small model touching every kernel kind: fused elementwise with broadcast,
// matmul, reduction, transpose, pad, slice, concat, gather and a constant.
func.func @main(%x: tensor<2x3xf32> {ipuc.name = "x"}, %b: tensor<1x3xf32> {ipuc.name = "b"},
                %w: tensor<1x3x4xf32> {ipuc.name = "w"}, %ids: tensor<1x2xi32> {ipuc.name = "ids"})
    -> (tensor<2x3xf32> {ipuc.name = "act"}, tensor<1x2x4xf32> {ipuc.name = "mm"},
        tensor<2x1xf32> {ipuc.name = "rmax"}, tensor<3x2xf32> {ipuc.name = "xt"},
        tensor<4x5xf32> {ipuc.name = "padded"}, tensor<2x5xf32> {ipuc.name = "cat"},
        tensor<1x2x3xf32> {ipuc.name = "gathered"}, tensor<2x3xf32> {ipuc.name = "scaled"}) {
  %0 = tosa.add %x, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.tanh %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = tosa.clamp %1 {min_fp = 0.0 : f32, max_fp = 0.5 : f32, min_int = 0 : i64, max_int = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = tosa.reshape %x {new_shape = array<i64: 1, 2, 3>} : (tensor<2x3xf32>) -> tensor<1x2x3xf32>
  %mm = tosa.matmul %r, %w : (tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  %rmax = tosa.reduce_max %x {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %perm = "tosa.const"() {value = dense<[1, 0]> : tensor<2xi32>} : () -> tensor<2xi32>
  %xt = tosa.transpose %x, %perm : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<3x2xf32>
  %pads = "tosa.const"() {value = dense<[[1, 1], [0, 2]]> : tensor<2x2xi32>} : () -> tensor<2x2xi32>
  %padded = tosa.pad %x, %pads : (tensor<2x3xf32>, tensor<2x2xi32>) -> tensor<4x5xf32>
  %sl = tosa.slice %x {start = array<i64: 0, 1>, size = array<i64: 2, 2>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %cat = tosa.concat %x, %sl {axis = 1 : i32} : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x5xf32>
  %g = tosa.gather %r, %ids : (tensor<1x2x3xf32>, tensor<1x2xi32>) -> tensor<1x2x3xf32>
  %c = "tosa.const"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %s = tosa.mul %x, %c {shift = 0 : i8} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %2, %mm, %rmax, %xt, %padded, %cat, %g, %s : tensor<2x3xf32>, tensor<1x2x4xf32>, tensor<2x1xf32>, tensor<3x2xf32>, tensor<4x5xf32>, tensor<2x5xf32>, tensor<1x2x3xf32>, tensor<2x3xf32>
}
