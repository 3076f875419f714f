// Conv2d: 2-D convolution over [batch, channels, height, width].
#include "core/layers/ConvUtil.h"

namespace nc::core::layers {
namespace {

class Conv2d final : public ConvLayer<2, torch::nn::Conv2d, torch::nn::Conv2dOptions> {
 public:
  Conv2d()
      : ConvLayer("Conv2d",
                  "2-D convolution: slides out_channels learned filters over the image. "
                  "in_channels follows from the input.",
                  "[batch, channels, height, width]", "Filter height and width") {}

 protected:
  std::string rankHint(const TensorShape& in) const override {
    return in.rank() == 3 ? "use Conv1d for sequences, or Reshape to add a channel dimension" : "";
  }
};
NC_REGISTER_LAYER(Conv2d);

}  // namespace
}  // namespace nc::core::layers
