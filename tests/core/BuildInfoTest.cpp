// The versions shown in the About box.
#include <gtest/gtest.h>

#include <torch/version.h>

#include "core/BuildInfo.h"

TEST(BuildInfo, ReportsTheAppAndLibTorchVersions) {
  EXPECT_EQ(nc::core::appVersion(), NC_VERSION);
  EXPECT_FALSE(nc::core::appVersion().empty());
  EXPECT_EQ(nc::core::libtorchVersion(), std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                             "." + std::to_string(TORCH_VERSION_PATCH));
}
