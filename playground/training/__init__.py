"""training: training a model on a task (imports lesson, tasks, state, errors; no plotly, no Streamlit).

    trainer.py       the Trainer: optimizers, one step, a tick of steps, clipping, divergence, metrics; fit()
    live.py          Train live's session: Play / Pause / Step / Reset around a Trainer, snapshots to draw
    gradflow.py      gradient flow through time: ||dL/dh_t||, eigenvalues of W_hh, Jacobian products, gates
    race.py          the fair RNN / LSTM / GRU race at several delays
    weights_file.py  a run's weights file: export, and an upload read back without trusting it
"""
