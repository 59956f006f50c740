// A linear least-squares loss with one trainable weight, for --train tests.
func.func @main(%w: tensor<3xf32> {ipuc.name = "w", ipuc.param},
                %x: tensor<3xf32> {ipuc.name = "x"}) -> (tensor<1xf32> {ipuc.name = "loss"}) {
  %0 = tosa.mul %w, %x {shift = 0 : i8} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tosa.mul %0, %0 {shift = 0 : i8} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %2 = tosa.reduce_sum %1 {axis = 0 : i32} : (tensor<3xf32>) -> tensor<1xf32>
  return %2 : tensor<1xf32>
}
