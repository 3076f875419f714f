#include "core/export/OnnxExporter.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
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


def fail(message, code):
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


class ExportError(Exception):
    pass


def first_line(e):
    lines = str(e).strip().splitlines()
    return (lines[0] if lines else type(e).__name__)[:400]


def export(index, job, opset):
    spec = importlib.util.spec_from_file_location("nc_onnx_model_%d" % index, job["source"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load().eval()
    meta = job["meta"]
    shape = tuple(meta["shape"])
    if meta["dtype"] == "int64":
        example = torch.randint(0, int(meta["vocab_size"]), (2,) + shape, dtype=torch.int64)
    else:
        example = torch.rand((2,) + shape)
    out = job["out"]
    # Traced with gradients enabled and parameters that require them: under no_grad, eval-mode
    # nn.MultiheadAttention and nn.TransformerEncoderLayer take PyTorch's fused fast path
    # (aten::_native_multi_head_attention, aten::_transformer_encoder_layer_fwd), which has no
    # ONNX form. The traced graph is the same computation.
    torch.set_grad_enabled(True)
    for p in model.parameters():
        p.requires_grad_(True)
    try:
        torch.onnx.export(model, example, out, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          opset_version=opset, do_constant_folding=True)
    except Exception as e:
        raise ExportError("torch.onnx.export failed: %s: %s" % (type(e).__name__, first_line(e)))
    m = onnx.load(out)
    for key, value in meta["props"].items():
        entry = m.metadata_props.add()
        entry.key = key
        entry.value = value
    m.producer_name = "NeuralCanvas"
    m.producer_version = meta["props"].get("neuralcanvas_version", "")
    if m.graph.input[0].type.tensor_type.shape.dim[0].dim_param != "batch":
        raise ExportError("the exported batch dimension is not dynamic")
    try:
        onnx.checker.check_model(m, full_check=True)
    except Exception as e:
        raise ExportError("onnx.checker rejected the model: " + first_line(e))
    onnx.save(m, out)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    opset = int(sys.argv[2])
    torch.set_num_threads(1)
    if opset < 14:
        # ONNX has Trilu from opset 14 on; the causal attention masks use torch.triu. The same upper
        # triangle from comparisons that opset 13 has.
        def triu_without_trilu(t, diagonal=0):
            rows = torch.arange(t.shape[-2], device=t.device).unsqueeze(-1)
            cols = torch.arange(t.shape[-1], device=t.device).unsqueeze(0)
            return torch.where(cols - rows >= diagonal, t, torch.zeros_like(t))

        torch.triu = triu_without_trilu
    # torch.onnx (1.13) exports adaptive average pooling only when each output size divides the
    # input size; otherwise the same bins (rows floor(i*H/oh) to ceil((i+1)*H/oh), likewise columns)
    # as slices averaged and joined.
    adaptive_avg_pool2d = torch.nn.functional.adaptive_avg_pool2d

    def adaptive_avg_pool2d_bins(x, output_size):
        size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
        h, w = int(x.shape[-2]), int(x.shape[-1])
        oh, ow = size[0] or h, size[1] or w
        if h % oh == 0 and w % ow == 0:
            return adaptive_avg_pool2d(x, output_size)
        rows = []
        for i in range(oh):
            top, bottom = (i * h) // oh, -((-(i + 1) * h) // oh)
            cells = [x[..., top:bottom, (j * w) // ow:-((-(j + 1) * w) // ow)].mean(dim=(-2, -1), keepdim=True)
                     for j in range(ow)]
            rows.append(torch.cat(cells, dim=-1))
        return torch.cat(rows, dim=-2)

    torch.nn.functional.adaptive_avg_pool2d = adaptive_avg_pool2d_bins
    for index, job in enumerate(jobs):
        try:
            export(index, job, opset)
            print("NC_RESULT %d OK" % index, flush=True)
        except Exception as e:
            message = str(e) if isinstance(e, ExportError) else "%s: %s" % (type(e).__name__, first_line(e))
            print("NC_RESULT %d ERROR %s" % (index, message.replace("\n", " ")), flush=True)
    print("NC_DONE", flush=True)


main()
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
  bool timedOut = false;
  std::string startError;
  int exitCode = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr together
};

/// Runs argv[0] (looked up on PATH when it has no '/') with its output in `logPath`; no shell.
ProcessResult runProcess(const std::vector<std::string>& argv, const std::string& logPath, int timeoutSeconds) {
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
  // A hung interpreter must not hang the export: it is killed after `timeoutSeconds`.
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      r.timedOut = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
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
  return exportOnnxMany({OnnxJob{&project, outPath, options.checkpoint}}, options).front();
}

std::vector<Status> exportOnnxMany(const std::vector<OnnxJob>& jobs, const OnnxOptions& options) {
  std::vector<Status> results(jobs.size());
  if (jobs.empty()) return results;
  auto failAll = [&](const std::string& message) {
    for (auto& r : results)
      if (r.ok()) r = Status::error(message);
    return results;
  };
  if (options.opset < 13) return failAll("ONNX opset " + std::to_string(options.opset) + ": use 13 or later");
  TempDir work;
  if (work.path.empty())
    return failAll("cannot create a temporary folder in " + fs::temp_directory_path().string() + " (" +
                   std::strerror(errno) + ")");
  // Each job: refused nodes first (nothing written), then its PyTorch source in the temp folder.
  nlohmann::json list = nlohmann::json::array();
  std::vector<size_t> listed;  // job index of each entry of `list`
  std::vector<std::string> tmps(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Project& project = *jobs[i].project;
    const fs::path out(jobs[i].outPath);
    std::error_code ec;
    if (out.empty() || !out.has_filename()) {
      results[i] = Status::error("no ONNX file name given ('" + toUtf8(jobs[i].outPath) + "')");
      continue;
    }
    if (fs::path folder = out.parent_path(); !folder.empty() && !fs::is_directory(folder, ec)) {
      results[i] = Status::error(jobs[i].outPath + ": the folder " + folder.string() + " does not exist");
      continue;
    }
    std::vector<GraphIssue> problems = checkOnnxExportable(project.graph);
    if (!problems.empty()) {
      std::string msg = "cannot export to ONNX:";
      for (const auto& p : problems) msg += " " + p.message + ";";
      results[i] = Status::error(msg);
      continue;
    }
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) {
      results[i] = Status::error("the model has errors; run validate for details");
      continue;
    }
    const std::string source = (work.path / ("model_" + std::to_string(i) + ".py")).string();
    ExportOptions pyOptions;
    pyOptions.checkpoint = jobs[i].checkpoint;
    if (Status s = exportPython(project, source, pyOptions); !s) {
      results[i] = s;
      continue;
    }
    tmps[i] = tempPathFor(jobs[i].outPath);
    list.push_back({{"source", source}, {"out", tmps[i]}, {"meta", driverMetadata(project, a)}});
    listed.push_back(i);
  }
  if (listed.empty()) return results;
  const std::string driver = (work.path / "nc_onnx_driver.py").string();
  const std::string jobsFile = (work.path / "jobs.json").string();
  if (Status s = writeFileAtomic(driver, kDriver); !s) return failAll(s.message());
  if (Status s = writeFileAtomic(jobsFile, dumpJson(list, 1)); !s) return failAll(s.message());

  const std::string python = pythonInterpreter(options);
  ProcessResult r = runProcess({python, driver, jobsFile, std::to_string(options.opset)}, (work.path / "log.txt").string(),
                               /*timeoutSeconds=*/600 + 60 * int(listed.size()));
  auto removeTemps = [&] {
    for (const auto& t : tmps)
      if (!t.empty()) std::remove(t.c_str());
  };
  if (!r.started) {
    removeTemps();
    return failAll("cannot run the Python interpreter '" + python + "' (" + r.startError +
                   "): ONNX export needs Python 3 with PyTorch and onnx (install python3-torch and "
                   "python3-onnx, or set NC_PYTHON to such an interpreter)");
  }
  // Per job: "NC_RESULT <entry> OK" or "NC_RESULT <entry> ERROR <why>".
  std::map<size_t, std::string> outcome;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("NC_RESULT ", 0) != 0) continue;
    std::istringstream fields(line.substr(10));
    size_t entry = 0;
    std::string word;
    if (!(fields >> entry >> word) || entry >= listed.size()) continue;
    std::string rest;
    std::getline(fields, rest);
    outcome[entry] = word == "OK" ? "" : toUtf8(rest.empty() ? "unknown error" : rest.substr(1));
  }
  bool finished = r.exitCode == 0 && r.output.find("NC_DONE") != std::string::npos;
  std::string general;
  if (!finished) {
    general = pythonProblem(r.output);
    if (r.timedOut)
      general = "ONNX export in " + python + " did not finish in time and was stopped" +
                (general.empty() ? std::string() : " (last output: " + general + ")");
    else if (r.exitCode == 3 || r.exitCode == 4) general = "ONNX export with " + python + ": " + general;
    else if (general.empty())
      general = "ONNX export failed in " + python + ": " +
                (r.exitCode < 0 ? std::string("it was killed by a signal") : "it exited with code " + std::to_string(r.exitCode)) +
                " without a message; is it Python 3 with PyTorch (python3-torch) and onnx (python3-onnx)?";
    else general = "ONNX export failed in " + python + ": " + general;
  }
  for (size_t e = 0; e < listed.size(); ++e) {
    size_t i = listed[e];
    const std::string& out = jobs[i].outPath;
    auto it = outcome.find(e);
    std::error_code ec;
    if (it == outcome.end()) {
      std::remove(tmps[i].c_str());
      results[i] = Status::error(general.empty() ? out + ": no result from " + python : general);
    } else if (!it->second.empty()) {
      std::remove(tmps[i].c_str());
      results[i] = Status::error(out + ": " + it->second);
    } else if (!fs::is_regular_file(tmps[i], ec)) {
      results[i] = Status::error(out + ": the ONNX file was not written by " + python);
    } else {
      results[i] = commitTempFile(tmps[i], out);
    }
  }
  return results;
}

}  // namespace nc::core
