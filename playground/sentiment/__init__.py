"""sentiment: the shipped movie-review models (imports lesson, training, errors; no plotly, no Streamlit).

    text.py      tokenizer and vocabulary          data.py      SST-2 / IMDB files, splits, batches, naive Bayes
    models.py    the shipped models: load, predict, evaluate
    reading.py   a review read word by word (h_t, y_t, gates), the reading aids, the RNN's step at one word
    train.py lm.py fit.py progress.py   training them (with next-word pretraining); cli.py, __main__.py: the CLI
"""
