#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nc::core {

enum class DType { Float32, Int64 };

/// The shape of a tensor flowing along an edge, without its (symbolic) batch dimension.
/// dims = {32, 14, 14} is shown as "[B, 32, 14, 14]".
struct TensorShape {
  std::vector<int64_t> dims;
  DType dtype = DType::Float32;
  /// For token ids (Int64): the number of distinct ids, so an Embedding can size its table.
  int64_t vocab = 0;

  /// Rank including the batch dimension.
  size_t rank() const { return dims.size() + 1; }
  /// Number of elements per sample (product of dims).
  int64_t numel() const;
  std::string str() const;
  bool operator==(const TensorShape& o) const { return dims == o.dims && dtype == o.dtype && vocab == o.vocab; }
  bool operator!=(const TensorShape& o) const { return !(*this == o); }
};

std::string dtypeName(DType d);
/// "[32, 14, 14]"-style formatting of a plain list.
std::string formatDims(const std::vector<int64_t>& dims);

}  // namespace nc::core
