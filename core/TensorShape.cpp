#include "core/TensorShape.h"

#include <sstream>

#include "core/CheckedMath.h"

namespace nc::core {

int64_t TensorShape::numel() const {
  // Saturates at the int64 limit rather than wrapping (analyze() refuses shapes above
  // kMaxElementsPerSample, so a valid graph never gets near it).
  int64_t n = 1;
  for (int64_t d : dims) n = satMul(n, d);
  return n;
}

std::string TensorShape::str() const {
  std::ostringstream os;
  os << "[B";
  for (int64_t d : dims) os << ", " << d;
  os << "]";
  if (dtype == DType::Int64) os << " int64";
  return os.str();
}

std::string dtypeName(DType d) { return d == DType::Int64 ? "int64" : "float32"; }

std::string formatDims(const std::vector<int64_t>& dims) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < dims.size(); ++i) os << (i ? ", " : "") << dims[i];
  os << "]";
  return os.str();
}

}  // namespace nc::core
