#pragma once
// Overflow-safe arithmetic for sizes, parameter counts, FLOPs and memory estimates. Sizes come
// from user-edited project files, so any product may exceed 64 bits: these helpers saturate at
// the int64 limits instead of wrapping (signed overflow is undefined behaviour), and the limits
// below turn absurd sizes into errors on the node before anything is allocated.
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace nc::core {

/// Largest tensor accepted, in elements per sample (2^40, about 10^12).
constexpr int64_t kMaxElementsPerSample = int64_t(1) << 40;
/// Largest number of trainable parameters accepted for one node and for a model (2^40).
constexpr int64_t kMaxParameters = int64_t(1) << 40;
/// Largest forward FLOP estimate accepted per sample for one node (2^50, about 10^15).
constexpr int64_t kMaxFlopsPerSample = int64_t(1) << 50;

constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();

/// a * b, clamped to [INT64_MIN, INT64_MAX] instead of wrapping.
inline int64_t satMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min() : kSaturated;
  return r;
}

template <class... Rest>
int64_t satMul(int64_t a, int64_t b, int64_t c, Rest... rest) {
  return satMul(satMul(a, b), c, rest...);
}

/// a + b, clamped to [INT64_MIN, INT64_MAX] instead of wrapping.
inline int64_t satAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b < 0 ? std::numeric_limits<int64_t>::min() : kSaturated;
  return r;
}

template <class... Rest>
int64_t satAdd(int64_t a, int64_t b, int64_t c, Rest... rest) {
  return satAdd(satAdd(a, b), c, rest...);
}

/// The product of `values`, or nullopt when it does not fit int64.
inline std::optional<int64_t> checkedProduct(const std::vector<int64_t>& values) {
  int64_t n = 1;
  for (int64_t v : values)
    if (__builtin_mul_overflow(n, v, &n)) return std::nullopt;
  return n;
}

}  // namespace nc::core
