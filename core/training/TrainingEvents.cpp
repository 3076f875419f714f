#include "core/training/TrainingEvents.h"

namespace nc::core {

std::string runStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::Completed: return "completed";
    case RunStatus::Stopped: return "stopped";
    case RunStatus::Failed: return "failed";
  }
  return "?";
}

std::string runPhaseName(RunPhase p) {
  switch (p) {
    case RunPhase::Loading: return "loading";
    case RunPhase::Validation: return "validation";
    case RunPhase::Test: return "test";
  }
  return "?";
}

void TrainingControl::requestStop() {
  m_stop = true;
  m_changed.notify_all();
}
void TrainingControl::pause() { m_paused = true; }
void TrainingControl::resume() {
  m_paused = false;
  m_changed.notify_all();
}

}  // namespace nc::core
