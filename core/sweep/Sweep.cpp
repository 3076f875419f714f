#include "core/sweep/Sweep.h"

namespace nc::core {

// Placeholder until the sweep engine lands (issue 14).
Status parseSweepParam(const std::string& text, const Project&, SweepParam&) {
  return Status::error(text + ": sweeps are not available yet");
}
Status applySweepValues(Project&, const std::vector<SweepValue>&) {
  return Status::error("sweeps are not available yet");
}
Status loadSweep(const std::string& sweepDir, SweepState&) {
  return Status::error(sweepDir + ": sweeps are not available yet");
}
SweepResult runSweep(const Project&, const SweepSpec&, const std::string&, SweepObserver&, TrainingControl&) {
  SweepResult r;
  r.error = "sweeps are not available yet";
  return r;
}

}  // namespace nc::core
