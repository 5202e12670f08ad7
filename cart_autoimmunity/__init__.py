"""Models behind the book *CAR T cells for autoimmune disease, from management to reset*.

The package flows one way: ``parameters`` (values with units and sources) feed the model
modules (pure functions that return tidy pandas tables), which the chapter notebooks call
and plot. Nothing here imports a notebook.
"""

__version__ = "0.1.0"
