"""Repository functions, one module per table group. Import them from
:mod:`storage.repository`. Each takes a Session first and never commits."""
