"""RNN Playground: the Elman RNN of the lesson, made visible.

h_t = f(W_xh x_t + W_hh h_{t-1} + b_h),   y_t = g(W_hy h_t + b_y)
"""
from playground.errors import PlaygroundError

__all__ = ["PlaygroundError"]
