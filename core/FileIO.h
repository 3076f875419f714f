#pragma once
#include <string>

#include "core/Status.h"

namespace nc::core {

/// Durable, atomic file writes. Every file NeuralCanvas writes for the user (projects, autosaves,
/// run files, checkpoints, exports) goes through these, so that a crash or a power cut leaves
/// either the old file or the new one, never an empty or half-written one.
///
/// The recipe: write a temporary file in the same folder, fsync it, rename it over the target,
/// then fsync the folder so that the rename itself is on disk.

/// A temporary name beside `path`, unique within this process (pid + counter).
std::string tempPathFor(const std::string& path);

/// Writes `contents` to `path` durably and atomically. The message names the file.
Status writeFileAtomic(const std::string& path, const std::string& contents);

/// For writers that produce the temporary file themselves (torch::save, jit::Module::save):
/// fsyncs `tmp`, renames it to `path` and fsyncs the folder. On failure `tmp` is removed.
Status commitTempFile(const std::string& tmp, const std::string& path);

/// fsyncs a folder (after creating or renaming entries in it). Returns false on failure.
bool syncDirectory(const std::string& dir);

/// Removes leftovers "<name>.tmp-*" of interrupted atomic writes in `dir`. Returns how many.
int removeStaleTempFiles(const std::string& dir);

}  // namespace nc::core
