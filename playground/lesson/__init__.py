"""lesson: the lesson's model and math, torch only (imports playground.errors and torch; nothing above).

    activations.py  f and g by name: function, derivative, range, LaTeX
    cells.py        RNN, LSTM and GRU behind one interface (RecurrentModel), the lesson's weight names, traces
    bptt.py         the Elman recurrence with a hand-written backward through time (f without a torch kernel)
    equations.py    the two equations as LaTeX with the chosen cell, f and g
    onestep.py      one step term by term in float64, and the numbers' text form (the calculator of Inside one step)
    kernels.py      torch's private fused recurrent kernels, the only private torch use (pinned to one version)
"""
