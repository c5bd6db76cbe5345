"""Views of the runtime: pure functions of ``ActorInfo`` records, drawn with rich (notebooks,
terminals) or as plain text when rich is missing.

Modules: ``tree`` (supervision tree), ``top`` (busiest actors), ``info_panel`` (one actor),
``snapshot_view`` (snapshot inspector), ``mimebundle`` (how objects display themselves), and
``api`` with the public functions behind ``al.tree()``, ``al.top()``, ``%actors``...

Importing this package imports neither rich nor IPython; each view imports rich when drawn.
"""
