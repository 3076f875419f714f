#include "core/deploy/Pruning.h"

namespace nc::core {

int64_t keptChannelCount(int64_t count, double fraction) {
  if (count <= 1) return count;
  if (!(fraction > 0)) return count;
  if (fraction > 1) fraction = 1;
  double removed = static_cast<double>(count) * fraction;
  int64_t r = static_cast<int64_t>(removed + 0.5);
  int64_t kept = count - r;
  return kept < 1 ? 1 : kept;
}

ChannelPruneResult planChannelPruning(const Project&, const ChannelPruneOptions&) {
  ChannelPruneResult r;
  r.status = Status::error("channel pruning: not implemented yet");
  return r;
}

ChannelPruneResult pruneChannels(const Project&, const std::string&, const ChannelPruneOptions&,
                                 const std::string&, const std::string&) {
  ChannelPruneResult r;
  r.status = Status::error("channel pruning: not implemented yet");
  return r;
}

MagnitudePruneResult pruneMagnitude(const Project&, const std::string&, double, const std::string&) {
  MagnitudePruneResult r;
  r.status = Status::error("magnitude pruning: not implemented yet");
  return r;
}

FineTuneResult fineTune(const Project&, const std::string&, int, bool, const std::string&,
                        TrainingObserver*, TrainingControl*, std::shared_ptr<const Dataset>) {
  FineTuneResult r;
  r.status = Status::error("fine-tuning: not implemented yet");
  return r;
}

}  // namespace nc::core
