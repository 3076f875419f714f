#include "core/Cancellation.h"

namespace nc::core {

namespace {
thread_local const CancellationScope* t_current = nullptr;
}

CancellationScope::CancellationScope(std::function<bool()> check) : m_check(std::move(check)), m_outer(t_current) {
  t_current = this;
}

CancellationScope::~CancellationScope() { t_current = m_outer; }

bool cancellationRequested() { return t_current && t_current->m_check && t_current->m_check(); }

}  // namespace nc::core
