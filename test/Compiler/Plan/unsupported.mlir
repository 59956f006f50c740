// RUN: ipu-opt %s --split-input-file --verify-diagnostics --ipuc-legalize-host-plan

// Every unsupported construct is an error at the op that names it.

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    // expected-error @+1 {{'math.cbrt' in the body of 'linalg.generic' is not supported by the host plan}}
    %c = math.cbrt %in : f32
    linalg.yield %c : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<8xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{'linalg.generic' operand #0 has indexing map affine_map<(d0) -> (d0 floordiv 2)>, which is not a linear combination of loop dimensions plus a constant}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0 floordiv 2)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{'tensor.bitcast' is not supported by the host plan}}
  %b = tensor.bitcast %x : tensor<4xf32> to tensor<4xi32>
  return %b : tensor<4xi32>
}

// -----

func.func @main(%x: tensor<4xf32>, %n: index) -> tensor<?xf32> {
  // expected-error @+1 {{'tensor.extract_slice' result of type 'tensor<?xf32>' is not supported by the host plan (needs a statically shaped tensor}}
  %s = tensor.extract_slice %x[0] [%n] [1] : tensor<4xf32> to tensor<?xf32>
  return %s : tensor<?xf32>
}

// -----

func.func @main(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{'linalg.fill' must fill with a constant for the host plan}}
  %f = linalg.fill ins(%s : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %f : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{'linalg.generic' scalar operand #1 must be a constant for the host plan}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x, %s : tensor<4xf32>, f32) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %sc: f32, %out: f32):
    %a = arith.addf %in, %sc : f32
    linalg.yield %a : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
