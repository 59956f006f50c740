//===- ConverterRegistry.cpp - The table of every op converter -----------===//
//
// Built once on first use; each op-family file registers its own converters
// so that adding an op touches only that family's file.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NodeImporter.h"

namespace ipuc::onnx_import {

const ConverterRegistry &getConverterRegistry() {
  static const ConverterRegistry registry = [] {
    ConverterRegistry r;
    registerElementwiseConverters(r);
    registerTensorConverters(r);
    registerNNConverters(r);
    registerReductionConverters(r);
    registerMoreElementwiseConverters(r);
    registerMoreTensorConverters(r);
    registerTrainingConverters(r);
    return r;
  }();
  return registry;
}

} // namespace ipuc::onnx_import
