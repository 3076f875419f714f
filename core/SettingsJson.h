#pragma once
// Settings read from an already parsed JSON value (the "data" and "training" objects of a
// project), so that project loading parses the file once and messages can quote too-large
// integers exactly as written (see JsonDocument.h).
#include <nlohmann/json.hpp>
#include <string>

#include "core/JsonDocument.h"
#include "core/Status.h"
#include "core/data/DataConfig.h"
#include "core/training/TrainConfig.h"

namespace nc::core {

/// As dataConfigFromJson / trainConfigFromJson; `numbers` are keyed by the full JSON path
/// (starting with `pathPrefix`), as parseJsonDocument of the whole file gives them.
Status dataConfigFromJsonValue(const nlohmann::json& value, DataConfig& out, const std::string& pathPrefix,
                               const BigNumbers* numbers);
Status trainConfigFromJsonValue(const nlohmann::json& value, TrainConfig& out, const std::string& pathPrefix,
                                const BigNumbers* numbers);

}  // namespace nc::core
