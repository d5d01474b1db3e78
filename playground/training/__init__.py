"""training: training a model on a task (imports lesson, tasks, state, errors; no plotly, no Streamlit).

    loop.py          the one update every model takes: backward, clip, optimizer step
    trainer.py       the Trainer: optimizers, one step, the training loop (with callbacks), divergence, metrics
    history.py       fit(): one call to train for N steps; a run's history as a table or as CSV
    live_config.py   Train live's settings (LiveConfig, in the URL)
    live.py          Train live's session: Play / Pause / Step / Reset around a Trainer, snapshots to draw
    gradflow.py      gradient flow through time: ||dL/dh_t||, eigenvalues of W_hh, Jacobian products, gates
    race.py          the fair RNN / LSTM / GRU race at several delays
    weights_file.py  a run's weights file: export, and an upload read back without trusting it
"""
