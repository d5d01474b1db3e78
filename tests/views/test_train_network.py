"""Train live's unrolled network, from a live run: the numbers it draws are the run's."""
import numpy as np

from playground.figures.train import EDGE_BINS, EDGE_PX, NET_UNITS
from playground.training.live import LiveSession
from playground.training.live_config import LiveConfig
from playground.views import train_live as views


def test_the_network_draws_the_runs_states_and_a_gated_cells_candidate_block():
    s = LiveSession(LiveConfig(cell="lstm", hidden=16))
    s.step_once()
    v = s.view()
    fig = views.network_view(v).to_dict()
    h_nodes = fig["data"][2 * EDGE_BINS + 1]
    assert np.allclose(h_nodes["customdata"], v.h[:NET_UNITS, :4].T.ravel(), atol=1e-4)
    H = v.weights["W_hh"].shape[1]
    block = v.weights["W_hh"][2 * H:3 * H, :][:NET_UNITS, :NET_UNITS]  # the LSTM's candidate g: third block
    j, i = np.unravel_index(np.abs(block).argmax(), block.shape)
    pos = list(zip(h_nodes["x"], h_nodes["y"]))
    seg = (pos[i], pos[NET_UNITS + j])  # from unit i at step 1 to unit j at step 2
    widest = [t for t in fig["data"][:2 * EDGE_BINS] if t["line"]["width"] == EDGE_PX[-1]]
    found = [((t["x"][k], t["y"][k]), (t["x"][k + 1], t["y"][k + 1])) for t in widest for k in range(0, len(t["x"]), 3)]
    assert seg in found
    assert "candidate block g" in fig["layout"]["title"]["text"] and "first 12 of 16 units" in fig["layout"]["title"]["text"]
