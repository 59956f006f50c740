//===- BspAttrs.td - bsp dialect attributes ----------------*- tablegen -*-===//
#ifndef IPUC_DIALECT_BSP_ATTRS
#define IPUC_DIALECT_BSP_ATTRS

include "BspDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Bsp_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Bsp_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// A double printed as an integer when it is one (1.325e9 prints as
// 1325000000) and otherwise in the shortest form that reads back exactly.
// Stored as an APFloat (hashable); read with convertToDouble().
def Bsp_DoubleParameter : APFloatParameter<"a floating-point value"> {
  let parser = "::ipuc::bsp::parseDouble($_parser)";
  let printer = "::ipuc::bsp::printDouble($_printer, $_self.convertToDouble())";
}

def Bsp_DeviceAttr : Bsp_Attr<"Device", "device"> {
  let summary = "The device a bsp program is planned for (DESIGN.md section 3)";
  let description = [{
    Tiles, memory per tile and the cost-model constants of one chip. Every
    level of the tile plan reads it: the partitioner to size work, the
    verifier to check tile indices and per-tile memory, the serializer to
    record it in the plan.

    ```mlir
    #bsp.device<name = "gc200", tiles = 1472, sram_bytes = 638976,
                clock_hz = 1325000000, workers = 6, fp32_flops_per_cycle = 32,
                fp16_flops_per_cycle = 128, elementwise_per_cycle = 2,
                exchange_bytes_per_cycle = 4, sync_cycles = 150>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"device name">:$name,
    "int64_t":$tiles,
    "int64_t":$sram_bytes,
    Bsp_DoubleParameter:$clock_hz,
    "int64_t":$workers,
    Bsp_DoubleParameter:$fp32_flops_per_cycle,
    Bsp_DoubleParameter:$fp16_flops_per_cycle,
    Bsp_DoubleParameter:$elementwise_per_cycle,
    Bsp_DoubleParameter:$exchange_bytes_per_cycle,
    "int64_t":$sync_cycles);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Bsp_IntervalAttr : Bsp_Attr<"Interval", "interval"> {
  let summary = "Elements [begin, end) of a tensor on one tile";
  let description = [{
    Elements `[begin, end)` of the row-major flattening of a tensor live on
    `tile`, starting at byte `address` of that tile's memory
    (`TileInterval` in plan.fbs).

    ```mlir
    #bsp.interval<3, 0, 256, 1024>   // tile 3, elements 0..255 at byte 1024
    ```
  }];
  let parameters = (ins "int64_t":$tile, "int64_t":$begin, "int64_t":$end,
                        "int64_t":$address);
  let assemblyFormat = "`<` $tile `,` $begin `,` $end `,` $address `>`";
  let genVerifyDecl = 1;
}

def Bsp_MappingAttr : Bsp_Attr<"Mapping", "mapping"> {
  let summary = "Where a bsp.tensor's elements live: sorted intervals";
  let description = [{
    The `mapping` of a `bsp.tensor`: its intervals (`Interval` records, see
    Interval.h), each elements `[begin, end)` of the tensor's row-major
    flattening on `tile` from byte `address`, as `#bsp.interval` does for
    one. One attribute over a flat array rather than an array of
    `#bsp.interval` attributes: a weight homed on its consumers has hundreds
    of thousands of intervals, and uniquing (and reading) one attribute per
    interval was a large share of compile time. Uniquing this is one hash
    over contiguous memory; readers iterate plain records.

    Each interval is written in `#bsp.interval` syntax. `bsp.tensor` prints
    the bracketed list alone (`mapping [...]`); the attribute on its own
    (generic op form) wraps it in `<...>`:

    ```mlir
    #bsp.mapping<[#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>]>
    ```

    The attribute checks each interval (tile and address non-negative, a
    non-empty element range); `bsp.tensor`'s verifier checks the order,
    disjointness and extent against the tensor and the device.
  }];
  let parameters = (ins ArrayRefParameter<"::ipuc::bsp::Interval",
                                          "intervals">:$intervals);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    using iterator = ::llvm::ArrayRef<::ipuc::bsp::Interval>::iterator;
    iterator begin() const { return getIntervals().begin(); }
    iterator end() const { return getIntervals().end(); }
    size_t size() const { return getIntervals().size(); }
    bool empty() const { return getIntervals().empty(); }
    const ::ipuc::bsp::Interval &operator[](size_t i) const {
      return getIntervals()[i];
    }
  }];
}

def Bsp_BoxAttr : Bsp_Attr<"Box", "box"> {
  let summary = "A rectangular region of a tensor";
  let description = [{
    `offsets` and `sizes` in the tensor's own coordinates (`Box` in
    plan.fbs). A box of a scalar has empty lists.

    ```mlir
    #bsp.box<offsets = [0, 64], sizes = [32, 64]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$offsets,
                        ArrayRefParameter<"int64_t">:$sizes);
  let assemblyFormat = [{
    `<` `offsets` `=` custom<DimList>($offsets) `,`
        `sizes` `=` custom<DimList>($sizes) `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRank() const { return getOffsets().size(); }
    int64_t getNumElements() const;
  }];
}

def Bsp_GridAttr : Bsp_Attr<"Grid", "grid"> {
  let summary = "The block grid a matmul or convolution is cut into";
  let description = [{
    The decision of `ipuc-plan-matmul-grids`, attached to a linalg op as
    `ipuc.grid` and honoured by `ipuc-partition-to-bsp`: `pb x pm x pn x pk`
    blocks of batch, m, n and k, one block per tile, each tile's k range in
    `k_chunks` serial chunks. `cycles` and `bytes_per_tile` are what the
    planner's cost model predicted for the grid (0: not modelled, as in a
    hand-written grid, which the partitioner costs itself).

    ```mlir
    #bsp.grid<pb = 1, pm = 2, pn = 3, pk = 1, k_chunks = 2, cycles = 5120,
              bytes_per_tile = 24576>
    ```
  }];
  let parameters = (ins "int64_t":$pb, "int64_t":$pm, "int64_t":$pn,
                        "int64_t":$pk,
                        DefaultValuedParameter<"int64_t", "1">:$k_chunks,
                        DefaultValuedParameter<"int64_t", "0">:$cycles,
                        DefaultValuedParameter<"int64_t", "0">:$bytes_per_tile);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getNumTiles() const {
      return getPb() * getPm() * getPn() * getPk();
    }
  }];
}

def Bsp_TensorRole : I32EnumAttr<"TensorRole", "the role of a plan tensor", [
    I32EnumAttrCase<"intermediate", 0>,
    I32EnumAttrCase<"input", 1>,
    I32EnumAttrCase<"output", 2>,
    I32EnumAttrCase<"constant", 3>,
    I32EnumAttrCase<"parameter", 4>]> {
  let cppNamespace = "::ipuc::bsp";
}

def Bsp_BoxArrayAttr : TypedArrayAttrBase<Bsp_BoxAttr, "array of #bsp.box">;

#endif // IPUC_DIALECT_BSP_ATTRS
