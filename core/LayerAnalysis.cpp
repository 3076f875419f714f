#include "core/LayerAnalysis.h"

#include <set>

#include "core/CheckedMath.h"
#include "core/MemoryEstimate.h"

namespace nc::core {

namespace {
double share(int64_t part, double total) { return total > 0 && part > 0 ? double(part) / total : 0.0; }
}  // namespace

LayerTotals layerTotals(const std::vector<LayerRow>& rows) {
  LayerTotals t;
  for (const LayerRow& r : rows) {
    if (!r.live) continue;
    t.params = satAdd(t.params, r.params);
    t.flops = satAdd(t.flops, r.flops);
    t.activationBytes = satAdd(t.activationBytes, r.activationBytes);
  }
  return t;
}

std::vector<LayerRow> analyzeLayers(const Graph& graph, const GraphAnalysis& analysis, const TrainConfig& training) {
  std::vector<NodeId> ids;
  std::set<NodeId> seen;
  for (NodeId id : analysis.order)
    if (graph.node(id) && seen.insert(id).second) ids.push_back(id);
  for (const auto& [id, node] : graph.nodes())
    if (seen.insert(id).second) ids.push_back(id);
  const std::set<NodeId> live(analysis.live.begin(), analysis.live.end());

  std::vector<LayerRow> rows;
  rows.reserve(ids.size());
  for (NodeId id : ids) {
    const Node& n = *graph.node(id);
    LayerRow r;
    r.node = id;
    r.name = n.name;
    r.type = n.type;
    r.live = live.count(id) > 0;
    if (n.layer) {
      r.params = nodeParamCount(n, analysis);
      r.flops = nodeFlops(n, analysis);
    }
    if (const TensorShape* s = analysis.shapeOf(id)) {
      r.output = *s;
      r.activationBytes = activationBytes(*s, training.batchSize);
    }
    rows.push_back(std::move(r));
  }
  // Shares divide by totals summed in floating point: when figures saturate at the int64 limit the
  // shares still add up to one (a saturated integer total would give every saturated row 100 %).
  double params = 0, flops = 0, bytes = 0;
  for (const LayerRow& r : rows)
    if (r.live) params += double(r.params), flops += double(r.flops), bytes += double(r.activationBytes);
  for (LayerRow& r : rows) {
    if (!r.live) continue;
    r.paramShare = share(r.params, params);
    r.flopShare = share(r.flops, flops);
    r.memoryShare = share(r.activationBytes, bytes);
  }
  return rows;
}

}  // namespace nc::core
