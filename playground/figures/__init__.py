"""figures: pure builders, arrays and labels in, a plotly figure out (imports plotly, numpy, errors, state only:
no model, no torch, no Streamlit).

    style.py    the shared look: colour scales per value range, fonts, hover format, gate titles
    fastfig.py  figures redrawn every tick: the validated skeleton built once per shape, then only the data set
    review.py train.py gates.py onestep.py   one module per page's figures
"""
