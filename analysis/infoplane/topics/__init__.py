"""One module per figure topic; importing this package registers every topic (registry.topic).
A new topic is a module here, decorated with `@topic`, and listed below."""
from . import (accuracy, all_figures, baseline, classic, compare, curves, ensemble, memorisation,  # noqa: F401
               pca, plane, pooled, redundancy, stopping, stopping_replay)
