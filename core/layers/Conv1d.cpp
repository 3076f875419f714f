// Conv1d: 1-D convolution over [batch, channels, length].
#include "core/layers/ConvUtil.h"

namespace nc::core::layers {
namespace {

class Conv1d final : public ConvLayer<1, torch::nn::Conv1d, torch::nn::Conv1dOptions> {
 public:
  Conv1d()
      : ConvLayer("Conv1d",
                  "1-D convolution: slides out_channels learned filters along a sequence [batch, channels, "
                  "length]. in_channels follows from the input.",
                  "[batch, channels, length]", "Filter length") {}

 protected:
  std::string rankHint(const TensorShape& in) const override {
    if (in.rank() == 4) return "use Conv2d for images";
    if (in.rank() == 2) return "Reshape to add a channel dimension, e.g. [B, 1, length]";
    return "";
  }
};
NC_REGISTER_LAYER(Conv1d);

}  // namespace
}  // namespace nc::core::layers
