#pragma once
// Precompiled header for torch-facing translation units (see core/CMakeLists.txt).
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
