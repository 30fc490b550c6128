"""Offline evaluation (``manage.py evaluate``): plain Python and numpy, no Django.

- ``metrics``: ranking metrics of one list against a person's held-out items.
- ``data``: the catalog and interactions as arrays, read from import rows.
- ``splits``: the temporal, leak-free train/test split and its variants.
- ``embeddings``: item and phrase vectors, cached on disk by model and text hash.
- ``methods``: the baselines and the hybrid, which scores with the serving core
  (``engine.scoring``) and the generated profile (``engine.profile_generation``).
- ``protocols``: warm, cold item, cold user, steering and faithfulness.
"""
