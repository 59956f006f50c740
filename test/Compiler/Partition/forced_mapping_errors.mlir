// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --split-input-file --verify-diagnostics %s
// RUN: ipu-opt --ipuc-plan-tile-mapping="tiles=4" --split-input-file --verify-diagnostics %s
// A written mapping that cannot be honoured is a located error, from the
// partitioner and from the planning pass alike.

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' must be a dictionary with an integer 'operand' or 'tiles' (and optionally 'cycles'), not 3 : i64}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = 3 : i64} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' must be a dictionary with an integer 'operand' or 'tiles'}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {operand = 0 : i64, tiles = 2 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' must be a dictionary with an integer 'operand' or 'tiles'}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {tile = 2 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' names operand #2 but the op has 2 operands}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {operand = 2 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' names operand #0, which is not indexed like the result (it needs the result's shape and indexing map)}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d1,d0)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {operand = 0 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' names operand #1, which has no tile mapping (an uninitialized tensor)}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {operand = 1 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' asks for 5 tiles but the device has 4}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {tiles = 5 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  // expected-error@+1 {{'ipuc.mapping' asks for 0 tiles but the device has 4}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) attrs = {ipuc.mapping = {tiles = 0 : i64}} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

#id = affine_map<(d0,d1)->(d0,d1)>
func.func @main(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  // expected-error@+1 {{'ipuc.mapping' cannot be honoured: this op runs as one vertex on one tile (its indexing maps cannot be split along its output)}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel"]} ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) attrs = {ipuc.mapping = {tiles = 2 : i64}} {
  ^bb0(%x: f32, %o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %s = arith.addf %x, %f : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

func.func @main(%a: tensor<24x40xf32>, %b: tensor<40x20xf32>) -> tensor<24x20xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<24x20xf32>) -> tensor<24x20xf32>
  // expected-error@+1 {{'ipuc.mapping' cannot be honoured: only linalg ops split along their output are mapped by it (not matmuls, convolutions, two-stage reductions, fills or tensor ops)}}
  %m = linalg.matmul {ipuc.mapping = {tiles = 2 : i64}}
      ins(%a, %b : tensor<24x40xf32>, tensor<40x20xf32>) outs(%f : tensor<24x20xf32>) -> tensor<24x20xf32>
  return %m : tensor<24x20xf32>
}

// -----

func.func @main(%a: tensor<8x8xf32>) -> tensor<64xf32> {
  // expected-error@+1 {{'ipuc.mapping' cannot be honoured: only linalg ops split along their output}}
  %r = tensor.collapse_shape %a [[0, 1]] {ipuc.mapping = {tiles = 2 : i64}} : tensor<8x8xf32> into tensor<64xf32>
  return %r : tensor<64xf32>
}
