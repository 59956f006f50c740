//===- Passes.td - Partitioning passes (linalg -> bsp) -----*- tablegen -*-===//
#ifndef IPUC_COMPILER_PARTITION_PASSES
#define IPUC_COMPILER_PARTITION_PASSES

include "mlir/Pass/PassBase.td"

def PlanMatMulGrids : Pass<"ipuc-plan-matmul-grids", "mlir::ModuleOp"> {
  let summary = "Attach the planner's block grid to every matmul and conv";
  let description = [{
    Annotates every linalg.matmul, linalg.batch_matmul and
    linalg.conv_2d_nhwc_fhwc that ipuc-partition-to-bsp lowers on a block
    grid with the grid it will use, as `ipuc.grid = #bsp.grid<...>` (split
    counts, serial k chunks, the modelled cycles and bytes per tile), so the
    decisions can be read and tested on linalg before any bsp exists.

    A grid depends on where the op's operands live (what their tiles have to
    send), which is only known while partitioning: the pass partitions a
    copy of the module and records each grid the partitioner chooses, so
    the attribute is exactly the grid ipuc-partition-to-bsp would pick
    without it. A grid already written on an op is checked and kept.
    Options as for ipuc-partition-to-bsp.

    ```
    ipu-opt --ipuc-plan-matmul-grids="tiles=4" model.mlir
    ```
  }];
  let options = [
    Option<"device", "device", "std::string", "\"gc200\"",
           "gc200, gc2 or a JSON device file">,
    Option<"tiles", "tiles", "int64_t", "0",
           "Number of tiles (0: the device's)">,
    Option<"grain", "grain", "int64_t", "64",
           "Minimum elements per tile of a linearly mapped tensor">,
  ];
  let dependentDialects = ["ipuc::bsp::BspDialect"];
}

def PlanTileMapping : Pass<"ipuc-plan-tile-mapping", "mlir::ModuleOp"> {
  let summary = "Choose the tile mapping of every result split along its output";
  let description = [{
    Annotates every linalg op that ipuc-partition-to-bsp splits along its
    output (elementwise and other structured ops; not matmuls, convolutions
    or two-stage reductions, whose mappings their grids decide) with the
    mapping its results get, as `ipuc.mapping`:

    * `{operand = I : i64, cycles = C : i64}`: the mapping of operand #I
      (inputs then inits), which has the result's shape and indexing map, so
      its boxes are read in place: an elementwise op after a matmul keeps the
      matmul's block mapping and needs no exchange;
    * `{tiles = T : i64, cycles = C : i64}`: balanced chunks of at least
      `grain` elements over at most T tiles, from the partitioner's
      round-robin cursor.

    The choice is the candidate with the fewest modelled cycles (the
    compute set's slowest tile plus the exchange gathering operand boxes
    that are elsewhere; docs/cost-model.md), `cycles` being that cost. Like
    ipuc-plan-matmul-grids, the pass partitions a copy of the module so that
    operand mappings are the ones the partitioner will see. A mapping
    already written on an op is checked and kept; one that cannot be
    honoured (no such operand, an operand indexed differently, more tiles
    than the device has, an op not split along its output) is an error
    located on the op. Options as for ipuc-partition-to-bsp.

    ```
    ipu-opt --ipuc-plan-tile-mapping="tiles=4" model.mlir
    ```
  }];
  let options = [
    Option<"device", "device", "std::string", "\"gc200\"",
           "gc200, gc2 or a JSON device file">,
    Option<"tiles", "tiles", "int64_t", "0",
           "Number of tiles (0: the device's)">,
    Option<"grain", "grain", "int64_t", "64",
           "Minimum elements per tile of a linearly mapped tensor">,
  ];
  let dependentDialects = ["ipuc::bsp::BspDialect"];
}

def PartitionToBsp : Pass<"ipuc-partition-to-bsp", "mlir::ModuleOp"> {
  let summary = "Partition fused linalg-on-tensors over tiles into a bsp.program";
  let description = [{
    Replaces the entry function with a `bsp.program @main` for the device:
    every tensor gets a tile mapping (balanced contiguous chunks of at least
    `grain` elements; matmul results the block grid their planner chose);
    results of ops split along their output take the mapping in their
    `ipuc.mapping` attribute (ipuc-plan-tile-mapping), linear otherwise;
    matmuls are cut into a block grid by the cost-model planner, or the one
    in their `ipuc.grid` attribute (ipuc-plan-matmul-grids; partial sums
    reduced in a second compute set when k is split); other structured ops
    are split along their output's mapping, each vertex reading the operand
    boxes it needs wherever they live (a gather reads its whole table): the
    program is marked `remote_operands` for ipuc-insert-exchanges, which
    stages remote boxes on the vertices' tiles; reductions
    with few outputs run in two stages (partials over tiles, then a combine);
    reshapes become views of their source (`bsp.tensor` `view_of`: the same
    intervals, so no copy), extract_slice on-tile copies, insert_slice, pad
    and concat exchanges into the destination's mapping; a zero fill is only
    materialized when an op other than the matmul or convolution it
    initializes reads it. Addresses are left at 0 for ipuc-plan-tile-memory.

    ```
    ipu-opt --ipuc-partition-to-bsp="device=gc200 tiles=4" model.mlir
    ```
  }];
  let options = [
    Option<"device", "device", "std::string", "\"gc200\"",
           "gc200, gc2 or a JSON device file">,
    Option<"tiles", "tiles", "int64_t", "0",
           "Number of tiles (0: the device's)">,
    Option<"grain", "grain", "int64_t", "64",
           "Minimum elements per tile of a linearly mapped tensor">,
    Option<"planMappings", "plan-mappings", "bool", "false",
           "Give results without `ipuc.mapping` the mapping "
           "ipuc-plan-tile-mapping would record (one partitioning walk "
           "instead of two)">,
  ];
  let dependentDialects = ["ipuc::bsp::BspDialect", "mlir::arith::ArithDialect"];
}

def InsertExchanges : Pass<"ipuc-insert-exchanges", "mlir::ModuleOp"> {
  let summary = "Gather every remote vertex input onto its tile by exchange";
  let description = [{
    Takes a `bsp.program` marked `remote_operands` (the form
    ipuc-partition-to-bsp emits, where a vertex may read an input box that
    lives on other tiles) and makes every input local: before each compute
    set, one exchange (named after the compute set, `<name>.gather`) copies
    the remote boxes its vertices read into staging tensors on their tiles,
    and the vertices read the copies. Boxes of one source tensor whose sizes
    agree but for the first are stacked along dim 0 of one staging tensor
    per compute set (`<compute set>.<source>.staged`, with a `.<n>` suffix
    for other trailing sizes), whichever tiles gather them: each tile's
    boxes are consecutive rows, one interval on that tile, the tiles in
    order. Boxes that continue one another along one dim (pieces of one box
    read by different vertices) are one copy, and a box read twice on a tile
    is copied once. A box whose rows all live on the vertex's tile is read
    in place. The attribute is then removed; programs without it are left
    alone.

    Errors: an input box with an element no tile holds (nothing to copy it
    from), and a remote input box that a vertex of the same compute set
    writes (the exchange before the compute set would copy its old value).

    ```
    ipu-opt --ipuc-partition-to-bsp="tiles=4" --ipuc-insert-exchanges model.mlir
    ```
  }];
}

def PlanTileMemory : Pass<"ipuc-plan-tile-memory", "mlir::ModuleOp"> {
  let summary = "Assign per-tile addresses to every bsp tensor by liveness";
  let description = [{
    Each tensor's intervals on a tile form one block, live from the first to
    the last step that touches the tensor (inputs, outputs, constants and
    parameters for the whole program). A view (`view_of`) has no block: its
    source's covers the view's live range too, and the view gets the
    source's addresses. Blocks get first-fit addresses so that
    tensors whose live ranges do not overlap share memory. A tile whose peak
    exceeds the device's SRAM is an error naming the tile, the bytes needed
    and available, and the largest tensors on it with their source locations.
  }];
}

#endif // IPUC_COMPILER_PARTITION_PASSES
