"""Migration Statistics Lab: the library the lessons and exercises use.

Import it as ``import migstats as ms``; each topic is a submodule
(``ms.datasets``, ``ms.definitions``, ``ms.disaggregation``, ``ms.protection``,
``ms.flows``) that appears when a lesson needs it.
"""

__version__ = "0.1.0"
