//===- BspDialect.td - The bsp dialect ---------------------*- tablegen -*-===//
//
// The tile-level execution plan of ipuc (DESIGN.md sections 1 and 2). Its ops
// mirror the "Tile program" section of runtime/plan/plan.fbs so that
// serialization into the plan is one to one.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECT_BSP_DIALECT
#define IPUC_DIALECT_BSP_DIALECT

include "mlir/IR/OpBase.td"

def Bsp_Dialect : Dialect {
  let name = "bsp";
  let cppNamespace = "::ipuc::bsp";
  let summary = "Bulk-synchronous tile-level execution plan";
  let description = [{
    A `bsp.program` holds the tensors of a model, each with a mapping of its
    row-major elements onto tiles, and a sequence of steps: compute sets
    (vertices run in parallel, one kernel per tile), exchanges (copies between
    tiles after an implied sync), repeat loops and host streams. It is what
    the partitioner produces and what is serialized into the plan's
    `tile_program`.

    ```mlir
    bsp.program @main attributes {device = #bsp.device<name = "tiny",
        tiles = 2, sram_bytes = 1024, clock_hz = 1000000000, workers = 6,
        fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
        elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
        sync_cycles = 150>} {
      %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 4, 0>]
          : !bsp.buffer<4xf32>
      bsp.host_write %x "x" : !bsp.buffer<4xf32>
    }
    ```
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();
  }];
}

class Bsp_Op<string mnemonic, list<Trait> traits = []>
    : Op<Bsp_Dialect, mnemonic, traits>;

#endif // IPUC_DIALECT_BSP_DIALECT
