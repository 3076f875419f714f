#include "core/export/OnnxExporter.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/FileIO.h"
#include "core/JsonUtil.h"
#include "core/LayerType.h"
#include "core/data/Dataset.h"
#include "core/export/ExportCommon.h"
#include "core/export/PythonExporter.h"

extern char** environ;

namespace nc::core {

namespace {

namespace fs = std::filesystem;

/// The Python side: imports the PyTorch-source export, traces it with torch.onnx.export (dynamic
/// batch), adds the metadata and runs onnx.checker. Every path and text comes in as an argument or
/// from the metadata file, never spliced into this code. Known failures are one "NC_ERROR: ..."
/// line on stderr; exit 3 = no torch, 4 = no onnx.
const char* const kDriver = R"PY(
import importlib.util
import json
import sys


def fail(message, code=2):
    print("NC_ERROR: " + message, file=sys.stderr)
    sys.exit(code)


try:
    import torch
except Exception as e:  # ImportError, or a broken installation
    fail("PyTorch is not available in this Python (%s: %s); install python3-torch" % (type(e).__name__, e), 3)
try:
    import onnx
except Exception as e:
    fail("the onnx module is not available in this Python (%s: %s); install python3-onnx" % (type(e).__name__, e), 4)

source, out, opset, meta_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(meta_file, encoding="utf-8") as f:
    meta = json.load(f)
torch.set_num_threads(1)

spec = importlib.util.spec_from_file_location("nc_onnx_export_model", source)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.load().eval()

shape = tuple(meta["shape"])
if meta["dtype"] == "int64":
    example = torch.randint(0, int(meta["vocab_size"]), (2,) + shape, dtype=torch.int64)
else:
    example = torch.rand((2,) + shape)

if opset < 14:
    # ONNX has Trilu from opset 14 on; the causal attention masks use torch.triu. The same upper
    # triangle from comparisons that opset 13 has.
    def triu_without_trilu(t, diagonal=0):
        rows = torch.arange(t.shape[-2], device=t.device).unsqueeze(-1)
        cols = torch.arange(t.shape[-1], device=t.device).unsqueeze(0)
        return torch.where(cols - rows >= diagonal, t, torch.zeros_like(t))

    torch.triu = triu_without_trilu

try:
    with torch.no_grad():
        torch.onnx.export(model, example, out, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          opset_version=opset, do_constant_folding=True)
except Exception as e:
    fail("torch.onnx.export failed: %s: %s" % (type(e).__name__, str(e).strip().splitlines()[0][:400]))

m = onnx.load(out)
for key, value in meta["props"].items():
    entry = m.metadata_props.add()
    entry.key = key
    entry.value = value
m.producer_name = "NeuralCanvas"
m.producer_version = meta["props"].get("neuralcanvas_version", "")
batch = m.graph.input[0].type.tensor_type.shape.dim[0]
if batch.dim_param != "batch":
    fail("the exported batch dimension is not dynamic")
try:
    onnx.checker.check_model(m, full_check=True)
except Exception as e:
    fail("onnx.checker rejected the model: %s" % str(e).strip().splitlines()[0][:400])
onnx.save(m, out)
print("NC_OK")
)PY";

/// A temporary folder removed with everything in it when this goes out of scope.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "neuralcanvas-onnx-XXXXXX").string();
    if (::mkdtemp(pattern.data())) path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

struct ProcessResult {
  bool started = false;
  std::string startError;
  int exitCode = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr together
};

/// Runs argv[0] (looked up on PATH when it has no '/') with its output in `logPath`; no shell.
ProcessResult runProcess(const std::vector<std::string>& argv, const std::string& logPath) {
  ProcessResult r;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    r.startError = std::strerror(rc);
    return r;
  }
  r.started = true;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(logPath, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

/// The driver's "NC_ERROR: ..." line, else the last few lines of the output (a traceback's end).
std::string pythonProblem(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("NC_ERROR: ", 0) == 0) return line.substr(10);
    if (!line.empty()) lines.push_back(line);
  }
  std::string tail;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) tail += (tail.empty() ? "" : " | ") + lines[i];
  tail = toUtf8(tail);
  if (tail.size() > 600) tail = "..." + tail.substr(tail.size() - 600);
  return tail;
}

std::string pythonInterpreter(const OnnxOptions& options) {
  if (!options.python.empty()) return options.python;
  if (const char* env = std::getenv("NC_PYTHON"); env && *env) return env;
  return "/usr/bin/python3";
}

/// metadata_props (all strings) and the example input's description for the driver.
nlohmann::json driverMetadata(const Project& project, const GraphAnalysis& a) {
  const TensorShape& in = *a.shapeOf(a.inputNode);
  std::vector<std::string> classes;
  DatasetLoad data = loadDataset(project.data);  // the class names come with the data, when readable
  if (data.ok()) classes = data.dataset->classNames;
  nlohmann::json names = nlohmann::json::array();
  for (const auto& c : classes) names.push_back(toUtf8(c));
  nlohmann::json props = {{"neuralcanvas_version", NC_VERSION},
                          {"name", toUtf8(project.name)},
                          {"class_names", dumpJson(names, -1)},
                          {"input_shape", dumpJson(nlohmann::json(in.dims), -1)},
                          {"input_dtype", in.dtype == DType::Int64 ? "int64" : "float32"},
                          {"output_shape", dumpJson(nlohmann::json(a.modelOutput()->dims), -1)}};
  if (in.dtype == DType::Int64) props["vocab_size"] = std::to_string(in.vocab);
  else props["input_range"] = "[0, 1]";
  nlohmann::json meta = {{"shape", in.dims},
                         {"dtype", in.dtype == DType::Int64 ? "int64" : "float32"},
                         {"props", props}};
  if (in.dtype == DType::Int64) meta["vocab_size"] = in.vocab;
  return meta;
}

}  // namespace

std::vector<GraphIssue> checkOnnxExportable(const Graph& graph) {
  // Every layer type with a PyTorch-source form exports through torch.onnx (ExportOnnx tests loop
  // over every registered type); what the source export refuses, ONNX refuses too.
  std::vector<GraphIssue> issues = checkPythonExportable(graph);
  for (auto& i : issues) {
    const std::string from = "cannot be exported to PyTorch source";
    if (size_t at = i.message.find(from); at != std::string::npos)
      i.message.replace(at, from.size(), "cannot be exported to ONNX (it has no PyTorch-source form)");
  }
  return issues;
}

Status exportOnnx(const Project& project, const std::string& outPath, const OnnxOptions& options) {
  if (options.opset < 13) return Status::error("ONNX opset " + std::to_string(options.opset) + ": use 13 or later");
  std::vector<GraphIssue> problems = checkOnnxExportable(project.graph);
  if (!problems.empty()) {
    std::string msg = "cannot export to ONNX:";
    for (const auto& p : problems) msg += " " + p.message + ";";
    return Status::error(msg);
  }
  GraphAnalysis a = analyze(project.graph);
  if (!a.ok()) return Status::error("the model has errors; run validate for details");

  TempDir work;
  if (work.path.empty())
    return Status::error("cannot create a temporary folder in " + fs::temp_directory_path().string() + " (" +
                         std::strerror(errno) + ")");
  const std::string source = (work.path / "nc_onnx_model.py").string();
  ExportOptions pyOptions;
  pyOptions.checkpoint = options.checkpoint;
  if (Status s = exportPython(project, source, pyOptions); !s) return s;
  const std::string driver = (work.path / "nc_onnx_driver.py").string();
  const std::string metaFile = (work.path / "meta.json").string();
  if (Status s = writeFileAtomic(driver, kDriver); !s) return s;
  if (Status s = writeFileAtomic(metaFile, dumpJson(driverMetadata(project, a), 1)); !s) return s;

  const std::string python = pythonInterpreter(options);
  const std::string tmp = tempPathFor(outPath);
  ProcessResult r = runProcess({python, driver, source, tmp, std::to_string(options.opset), metaFile},
                               (work.path / "log.txt").string());
  if (!r.started)
    return Status::error("cannot run the Python interpreter '" + python + "' (" + r.startError +
                         "): ONNX export needs Python 3 with PyTorch and onnx (install python3-torch and "
                         "python3-onnx, or set NC_PYTHON to such an interpreter)");
  bool ok = r.exitCode == 0 && r.output.find("NC_OK") != std::string::npos;
  if (!ok) {
    std::remove(tmp.c_str());
    std::string problem = pythonProblem(r.output);
    if (r.exitCode == 3 || r.exitCode == 4) return Status::error("ONNX export with " + python + ": " + problem);
    if (problem.empty())
      problem = std::string(r.exitCode < 0 ? "it was killed by a signal" : "it exited with code " + std::to_string(r.exitCode)) +
                " without a message; is it Python 3 with PyTorch (python3-torch) and onnx (python3-onnx)?";
    return Status::error("ONNX export of " + outPath + " failed in " + python + ": " + problem);
  }
  std::error_code ec;
  if (!fs::is_regular_file(tmp, ec)) return Status::error(outPath + ": the ONNX file was not written by " + python);
  return commitTempFile(tmp, outPath);
}

}  // namespace nc::core
