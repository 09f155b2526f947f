"""quiz_app: a terminal quiz trainer for PyTorch's eval() versus no_grad()."""

__version__ = "0.1.0"
