//===- BspOps.td - bsp dialect ops -------------------------*- tablegen -*-===//
//
// One op per table of the plan's tile program (runtime/plan/plan.fbs), so the
// serializer (compiler/Plan/BspToPlan.cpp) is a direct walk.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECT_BSP_OPS
#define IPUC_DIALECT_BSP_OPS

include "BspDialect.td"
include "BspAttrs.td"
include "BspTypes.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Bsp_Buffer : Type<CPred<"::llvm::isa<::ipuc::bsp::BufferType>($_self)">,
                      "bsp buffer", "::ipuc::bsp::BufferType">;

// Steps of a program: they sit in the program body or in a repeat loop.
def Bsp_StepParent : ParentOneOf<["ProgramOp", "RepeatOp"]>;

//===----------------------------------------------------------------------===//
// Program and tensors
//===----------------------------------------------------------------------===//

def Bsp_ProgramOp : Bsp_Op<"program", [Symbol, IsolatedFromAbove,
    NoTerminator, SingleBlock, NoRegionArguments]> {
  let summary = "A tile-level program for one device";
  let description = [{
    Holds the program's tensors (`bsp.tensor`) and its steps in execution
    order. The verifier checks every mapping against the device: tile indices
    in range, and each tile's memory extent (the highest `address + bytes`
    of the intervals on it, so that the memory planner may reuse addresses)
    within `sram_bytes`. A tile that overflows is reported with the bytes
    needed and available and the largest tensors on it.

    Every vertex's output boxes must live on the vertex's tile, and so must
    its input boxes unless the program carries the unit attribute
    `remote_operands`. That is the form ipuc-partition-to-bsp emits: a
    vertex reads the boxes it needs wherever they live, and
    ipuc-insert-exchanges then gathers each remote box into a staging tensor
    on the vertex's tile, in an exchange just before the compute set, and
    drops the attribute. A remote input reads the box's value at the start
    of its compute set (what the exchange copies); no plan is written while
    the attribute is set.

    ```mlir
    // Before ipuc-insert-exchanges: tile 1 reads %x's box on tile 0.
    bsp.program @main attributes {device = #bsp.device<...>, remote_operands} {
      %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 4, 0>]
          : !bsp.buffer<4xf32>
      %y = bsp.tensor "y" role(output) mapping [#bsp.interval<1, 0, 4, 0>]
          : !bsp.buffer<4xf32>
      bsp.compute_set "neg" {
        bsp.generic_vertex tile(1)
            ins(%x [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
            outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) ...
      }
    }
    // After: the box is staged on tile 1 and the vertex reads the copy.
    bsp.program @main attributes {device = #bsp.device<...>} {
      %x = ...
      %y = ...
      %s = bsp.tensor "x.t1.0" role(intermediate)
          mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<4xf32>
      bsp.exchange "neg.gather" {
        bsp.copy %x [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
              -> %s [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
      }
      bsp.compute_set "neg" {
        bsp.generic_vertex tile(1)
            ins(%s [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
            outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) ...
      }
    }
    ```

    A complete program:

    ```mlir
    bsp.program @main attributes {device = #bsp.device<name = "tiny",
        tiles = 2, sram_bytes = 1024, clock_hz = 1000000000, workers = 6,
        fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
        elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
        sync_cycles = 150>} {
      %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 4, 0>]
          : !bsp.buffer<4xf32>
      %y = bsp.tensor "y" role(output) mapping [#bsp.interval<0, 0, 4, 16>]
          : !bsp.buffer<4xf32>
      bsp.host_write %x "x" : !bsp.buffer<4xf32>
      bsp.compute_set "neg" {
        bsp.generic_vertex tile(0)
            ins(%x [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
            outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
            attributes {indexing_maps = [affine_map<(d0) -> (d0)>,
                                         affine_map<(d0) -> (d0)>],
                        iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
        ^bb0(%a: f32, %b: f32):
          %n = arith.negf %a : f32
          bsp.yield %n : f32
        }
      }
      bsp.host_read %y "y" : !bsp.buffer<4xf32>
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Bsp_DeviceAttr:$device,
                       UnitAttr:$remote_operands);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "DeviceAttr":$device)>
  ];
}

def Bsp_TensorOp : Bsp_Op<"tensor", [HasParent<"ProgramOp">]> {
  let summary = "A plan tensor and where its elements live";
  let description = [{
    Declares one tensor of the plan: a `name` (used in diagnostics and
    profiles), a `role`, and a `mapping` of sorted, disjoint element
    intervals onto tiles. Constants and parameters carry their `value`.
    Inputs, outputs, constants and parameters must be mapped completely;
    an intermediate may be mapped in part (only the parts that are ever
    materialized).

    ```mlir
    %w = bsp.tensor "w" role(parameter)
        mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>]
        value(dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>) : !bsp.buffer<4xf32>
    ```

    A *view* (`view_of`) is another shape of an earlier tensor's memory: a
    row-major reshape keeps every element's flat index, and mappings are
    flat intervals, so the view has the source's element type, element
    count and exactly the source's intervals (tiles, element ranges and
    addresses). It owns no memory: the memory planner keeps the source live
    while the view is and gives the view the source's addresses, so a
    reshape costs no copy and no compute set. A view is an intermediate or
    an output (it never carries a value or a host write of its own).

    ```mlir
    %x = bsp.tensor "x" role(intermediate)
        mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 0>]
        : !bsp.buffer<2x4xf32>
    %v = bsp.tensor "x.view" role(intermediate)
        view_of(%x : !bsp.buffer<2x4xf32>)
        mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 0>]
        : !bsp.buffer<8xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Bsp_TensorRole:$role,
                       Bsp_MappingAttr:$mapping,
                       OptionalAttr<ElementsAttr>:$value,
                       Optional<Bsp_Buffer>:$view_of);
  let results = (outs Bsp_Buffer:$result);
  let assemblyFormat = [{
    $name `role` `(` $role `)`
    (`view_of` `(` $view_of^ `:` qualified(type($view_of)) `)`)?
    `mapping` custom<Mapping>($mapping)
    (`value` `(` $value^ `)`)? attr-dict `:` qualified(type($result))
  }];
  let hasVerifier = 1;
  let builders = [
    // A tensor that owns its memory (most are: only reshapes make views).
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::StringAttr":$name,
                   "TensorRoleAttr":$role, "MappingAttr":$mapping,
                   "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, type, name, role, mapping, value,
            ::mlir::Value());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The checks of a view (`view_of`): called by the verifier.
    ::mlir::LogicalResult verifyView();
  }];
}

//===----------------------------------------------------------------------===//
// Compute sets and vertices
//===----------------------------------------------------------------------===//

def Bsp_ComputeSetOp : Bsp_Op<"compute_set", [NoTerminator, SingleBlock,
    NoRegionArguments, Bsp_StepParent]> {
  let summary = "The compute phase of a superstep";
  let description = [{
    Its vertices run in parallel, each on its own tile. The op's location is
    recorded as the compute set's source location in the plan.

    ```mlir
    bsp.compute_set "zero" {
      bsp.fill_vertex tile(0)
          outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
          {value = 0.0 : f32}
    }
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$name attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

// A vertex: one codelet on one tile over boxes of buffers. Inputs are read,
// outputs are written; operand i of the codelet is the i-th box (inputs then
// outputs), handed to the kernel as a contiguous row-major array.
class Bsp_VertexOp<string mnemonic, list<Trait> traits = []>
    : Bsp_Op<mnemonic, !listconcat(traits, [HasParent<"ComputeSetOp">])> {
  let hasVerifier = 1;
  code vertexFormat = [{
    `tile` `(` $tile `)`
    `ins` `` custom<BoxedOperands>($inputs, type($inputs), $input_boxes)
    `outs` `` custom<BoxedOperands>($outputs, type($outputs), $output_boxes)
  }];
}

def Bsp_GenericVertexOp : Bsp_VertexOp<"generic_vertex",
    [AttrSizedOperandSegments]> {
  let summary = "A scalar loop nest over boxes, like linalg.generic";
  let description = [{
    Runs the scalar `body` for every point of `loop_bounds`. The indexing
    maps index the operand *boxes* (index 0 is the box's first element), so
    every map's image of the iteration space must lie inside its box. Block
    arguments are the elements of the inputs then the outputs; `bsp.yield`
    gives the new output elements.

    A gather reads a table at computed indices: the trailing inputs whose
    body arguments (after the element arguments) are tensors of their box's
    shape are *gathered* inputs, read only with `tensor.extract` and without
    an indexing map.

    ```mlir
    bsp.generic_vertex tile(1)
        ins(%a [#bsp.box<offsets = [0, 4], sizes = [2, 4]>] : !bsp.buffer<2x8xf32>,
            %b [#bsp.box<offsets = [0, 4], sizes = [2, 4]>] : !bsp.buffer<2x8xf32>)
        outs(%c [#bsp.box<offsets = [0, 4], sizes = [2, 4]>] : !bsp.buffer<2x8xf32>)
        attributes {flops = 8.0 : f64,
                    indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 2, 4>} {
    ^bb0(%x: f32, %y: f32, %z: f32):
      %s = arith.addf %x, %y : f32
      bsp.yield %s : f32
    }
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$tile,
                       Variadic<Bsp_Buffer>:$inputs, Bsp_BoxArrayAttr:$input_boxes,
                       Variadic<Bsp_Buffer>:$outputs, Bsp_BoxArrayAttr:$output_boxes,
                       AffineMapArrayAttr:$indexing_maps,
                       StrArrayAttr:$iterator_types,
                       DenseI64ArrayAttr:$loop_bounds,
                       OptionalAttr<F64Attr>:$flops);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = !strconcat(vertexFormat, "attr-dict-with-keyword $body");
  let extraClassDeclaration = [{
    /// The number of gathered (trailing, read whole) inputs.
    unsigned getNumGathered();
  }];
}

def Bsp_YieldOp : Bsp_Op<"yield", [Pure, ReturnLike, Terminator,
    HasParent<"GenericVertexOp">]> {
  let summary = "Yields the output elements of a generic vertex body";
  let description = [{
    ```mlir
    bsp.yield %s : f32
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def Bsp_IndexOp : Bsp_Op<"index", [Pure, HasParent<"GenericVertexOp">]> {
  let summary = "The current iteration index of a generic vertex's loop";
  let description = [{
    Like `linalg.index`, in a `bsp.generic_vertex` body: the index along
    loop dimension `dim` of the vertex's own iteration space (0 at the
    vertex's first point).

    ```mlir
    %i = bsp.index 1
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$dim);
  let results = (outs Index:$result);
  let assemblyFormat = "$dim attr-dict";
}

def Bsp_MatMulVertexOp : Bsp_VertexOp<"matmul_vertex",
    [AttrSizedOperandSegments]> {
  let summary = "result = (accumulate ? result : 0) + lhs x rhs on one tile";
  let description = [{
    Inputs `lhs` and `rhs`, output `result`. The matrices are the last two
    dims of each box (leading box dims must be 1): lhs is m x k (k x m when
    `transpose_lhs`), rhs k x n (n x k when `transpose_rhs`), result m x n.

    ```mlir
    bsp.matmul_vertex tile(0)
        ins(%a [#bsp.box<offsets = [0, 0], sizes = [2, 3]>] : !bsp.buffer<2x3xf32>,
            %b [#bsp.box<offsets = [0, 0], sizes = [3, 4]>] : !bsp.buffer<3x4xf32>)
        outs(%c [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<2x4xf32>)
        {accumulate = true, flops = 48.0 : f64}
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$tile,
                       Variadic<Bsp_Buffer>:$inputs, Bsp_BoxArrayAttr:$input_boxes,
                       Variadic<Bsp_Buffer>:$outputs, Bsp_BoxArrayAttr:$output_boxes,
                       DefaultValuedAttr<BoolAttr, "false">:$accumulate,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs,
                       OptionalAttr<F64Attr>:$flops);
  let assemblyFormat = !strconcat(vertexFormat, "attr-dict");
  let extraClassDeclaration = [{
    /// m, n and k from the boxes (valid once verified).
    void getSizes(int64_t &m, int64_t &n, int64_t &k);
  }];
}

def Bsp_Conv2DVertexOp : Bsp_VertexOp<"conv2d_vertex",
    [AttrSizedOperandSegments]> {
  let summary = "2-D convolution (NHWC input, FHWC filter, NHWC result)";
  let description = [{
    Inputs `input` (n x h x w x c box, already padded) and `filter`
    (f x kh x kw x c/groups), output `result` (n x oh x ow x f) with
    `oh = (h - dilation_h * (kh - 1) - 1) / stride_h + 1` (same for w).

    ```mlir
    bsp.conv2d_vertex tile(0)
        ins(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 5, 5, 2]>] : !bsp.buffer<1x5x5x2xf32>,
            %f [#bsp.box<offsets = [0, 0, 0, 0], sizes = [4, 3, 3, 2]>] : !bsp.buffer<4x3x3x2xf32>)
        outs(%y [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 2, 2, 4]>] : !bsp.buffer<1x2x2x4xf32>)
        {strides = array<i64: 2, 2>}
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$tile,
                       Variadic<Bsp_Buffer>:$inputs, Bsp_BoxArrayAttr:$input_boxes,
                       Variadic<Bsp_Buffer>:$outputs, Bsp_BoxArrayAttr:$output_boxes,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       DefaultValuedAttr<BoolAttr, "false">:$accumulate,
                       OptionalAttr<F64Attr>:$flops);
  let assemblyFormat = !strconcat(vertexFormat, "attr-dict");
}

def Bsp_CopyVertexOp : Bsp_VertexOp<"copy_vertex",
    [AttrSizedOperandSegments]> {
  let summary = "Copies one box into another on the same tile";
  let description = [{
    The boxes hold the same number of elements of the same type; elements
    are copied in row-major order, so the copy may reshape.

    ```mlir
    bsp.copy_vertex tile(0)
        ins(%a [#bsp.box<offsets = [0, 0], sizes = [2, 3]>] : !bsp.buffer<2x3xf32>)
        outs(%b [#bsp.box<offsets = [0], sizes = [6]>] : !bsp.buffer<6xf32>)
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$tile,
                       Variadic<Bsp_Buffer>:$inputs, Bsp_BoxArrayAttr:$input_boxes,
                       Variadic<Bsp_Buffer>:$outputs, Bsp_BoxArrayAttr:$output_boxes,
                       OptionalAttr<F64Attr>:$flops);
  let assemblyFormat = !strconcat(vertexFormat, "attr-dict");
}

def Bsp_FillVertexOp : Bsp_VertexOp<"fill_vertex"> {
  let summary = "Sets every element of a box to a constant";
  let description = [{
    ```mlir
    bsp.fill_vertex tile(0)
        outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        {value = 0.0 : f32}
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$tile,
                       Variadic<Bsp_Buffer>:$outputs, Bsp_BoxArrayAttr:$output_boxes,
                       TypedAttrInterface:$value,
                       OptionalAttr<F64Attr>:$flops);
  let assemblyFormat = [{
    `tile` `(` $tile `)`
    `outs` `` custom<BoxedOperands>($outputs, type($outputs), $output_boxes)
    attr-dict
  }];
}

//===----------------------------------------------------------------------===//
// Exchanges, sync, loops, host streams
//===----------------------------------------------------------------------===//

def Bsp_ExchangeOp : Bsp_Op<"exchange", [NoTerminator, SingleBlock,
    NoRegionArguments, Bsp_StepParent]> {
  let summary = "The exchange phase of a superstep";
  let description = [{
    Its copies move boxes between tensors (usually between tiles). A sync is
    implied before every exchange.

    ```mlir
    bsp.exchange "gather a" {
      bsp.copy %a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<8xf32>
            -> %b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$name attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Bsp_CopyOp : Bsp_Op<"copy", [HasParent<"ExchangeOp">]> {
  let summary = "One copy of an exchange";
  let description = [{
    Copies a box of `src` into an equally sized box of `dst` of the same
    element type.

    ```mlir
    bsp.copy %a [#bsp.box<offsets = [4], sizes = [4]>] : !bsp.buffer<8xf32>
          -> %b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
    ```

    With `perm`, the copy transposes: dst box dim `i` is src box dim
    `perm[i]` (as in linalg.transpose), so element `j` of the dst box is
    element `k` of the src box with `k[perm[i]] = j[i]`, and the dst box's
    sizes are the src box's permuted. An exchange moves the same bytes
    whatever the permutation, so the partitioner lowers a transpose to one
    exchange of such copies instead of a gather and a compute set.

    ```mlir
    bsp.copy %a [#bsp.box<offsets = [0, 2], sizes = [4, 2]>] : !bsp.buffer<4x4xf32>
          -> %t [#bsp.box<offsets = [2, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>
          {perm = array<i64: 1, 0>}
    ```
  }];
  let arguments = (ins Bsp_Buffer:$src, Bsp_BoxAttr:$src_box,
                       Bsp_Buffer:$dst, Bsp_BoxAttr:$dst_box,
                       OptionalAttr<DenseI64ArrayAttr>:$perm);
  let assemblyFormat = [{
    custom<BoxedOperand>($src, type($src), $src_box) `->`
    custom<BoxedOperand>($dst, type($dst), $dst_box) attr-dict
  }];
  let hasVerifier = 1;
}

def Bsp_SyncOp : Bsp_Op<"sync", [Bsp_StepParent]> {
  let summary = "An explicit synchronisation of all tiles";
  let description = [{
    Marks a sync for readers of the IR. Serialization drops it: the plan
    implies a sync before each exchange.

    ```mlir
    bsp.sync
    ```
  }];
  let assemblyFormat = "attr-dict";
}

def Bsp_RepeatOp : Bsp_Op<"repeat", [NoTerminator, SingleBlock,
    NoRegionArguments, Bsp_StepParent]> {
  let summary = "Runs its steps `count` times";
  let description = [{
    ```mlir
    bsp.repeat 10 {
      bsp.compute_set "step" { ... }
      bsp.exchange "step" { ... }
    }
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntPositive]>:$count);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$count attr-dict-with-keyword $body";
}

def Bsp_HostWriteOp : Bsp_Op<"host_write", [Bsp_StepParent]> {
  let summary = "Streams a bound model input from the host onto its tiles";
  let description = [{
    The tensor must have role `input`; `binding` is the input's name.

    ```mlir
    bsp.host_write %x "x" : !bsp.buffer<4xf32>
    ```
  }];
  let arguments = (ins Bsp_Buffer:$tensor, StrAttr:$binding);
  let assemblyFormat = "$tensor $binding attr-dict `:` qualified(type($tensor))";
  let hasVerifier = 1;
}

def Bsp_HostReadOp : Bsp_Op<"host_read", [Bsp_StepParent]> {
  let summary = "Streams a model output off its tiles to the host";
  let description = [{
    The tensor must have role `output`; `binding` is the output's name.

    ```mlir
    bsp.host_read %y "y" : !bsp.buffer<4xf32>
    ```
  }];
  let arguments = (ins Bsp_Buffer:$tensor, StrAttr:$binding);
  let assemblyFormat = "$tensor $binding attr-dict `:` qualified(type($tensor))";
  let hasVerifier = 1;
}

#endif // IPUC_DIALECT_BSP_OPS
