"""web: the only package that imports streamlit, a small facade the pages use (imports every layer).

    ui.py         a page's config <-> widgets <-> URL, classroom mode, charts, downloads, friendly errors
    live.py       Train live's runs in the server's workers and the cheap redraw of its charts
    jobs.py       Why LSTM & GRU's shared runs and views computed once per server
    lecture.py    the guided tour's bar and moves          links.py   links between pages
    internals.py  every use of Streamlit's private API, pinned to one version       cli.py   `rnn-playground`
"""
