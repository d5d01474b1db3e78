"""views: one module per page, its settings (a dataclass in the URL) and one function per view; no Streamlit
(imports every layer below: figures, sentiment, training, tasks, lesson, state, errors).

    review.py (Read a review)  train_live.py (Train live)  gates.py (Why LSTM & GRU)  onestep.py (Inside one step)
    lecture.py (the guided tour)  classroom.py (what classroom mode means)  pages.py (the page list)
    exports.py (CSV downloads and their file names)
"""
