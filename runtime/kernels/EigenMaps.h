//===- EigenMaps.h - Row-major Eigen views over kernel buffers --*- C++ -*-===//
//
// Private to the kernels: the matrix views MatMul and Conv2D hand to Eigen's
// GEMM, with an explicit leading dimension so sub-matrices need no copy.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_EIGENMAPS_H
#define IPUC_KERNELS_EIGENMAPS_H

#include <Eigen/Core>

namespace ipuc::kernels {

template <typename T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using CMap = Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using MMap = Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>>;

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_EIGENMAPS_H
