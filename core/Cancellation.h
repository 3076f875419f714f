#pragma once
// Cooperative cancellation for long work that takes no callback (the dataset readers): the
// caller installs a check for its thread with a CancellationScope; the work calls
// cancellationRequested() between files or chunks and gives up early (returning an error value)
// when it is true. The trainer installs one around dataset loading so that Stop works there.
#include <functional>

namespace nc::core {

class CancellationScope {
 public:
  /// `check` returns true once the work should stop. Scopes nest (the innermost one is asked).
  explicit CancellationScope(std::function<bool()> check);
  ~CancellationScope();
  CancellationScope(const CancellationScope&) = delete;
  CancellationScope& operator=(const CancellationScope&) = delete;

 private:
  std::function<bool()> m_check;
  const CancellationScope* m_outer;
  friend bool cancellationRequested();
};

/// True when the innermost scope on this thread says stop; false without a scope. Cheap.
bool cancellationRequested();

}  // namespace nc::core
