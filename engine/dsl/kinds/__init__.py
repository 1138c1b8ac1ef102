"""One module per node kind: its params model and its node model.

Adding a kind: write its module here, then add its node class to `Node` in `engine.dsl.registry`.
"""
