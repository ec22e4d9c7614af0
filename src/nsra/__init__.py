"""nsra: integrated national security risk assessment.

Methods are data (``nsra.methods``), domain objects are typed (``nsra.model``), file formats
live at the edges (``nsra.io``), and computation is pure (``nsra.engine``).
"""

__version__ = "0.1.0"
