"""Message traces: capture (``al.trace()``), layout, and the renderings of a sequence diagram.

``capture`` records the events of a block; ``render`` lays them out as lanes and rows and
writes text and Mermaid; ``svg`` draws the diagram; ``chrome`` exports Chrome Trace JSON.
"""

from .capture import Trace, trace

__all__ = ["Trace", "trace"]
