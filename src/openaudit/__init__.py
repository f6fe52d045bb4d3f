"""openaudit: license and openness auditor for AI models."""

__version__ = "0.1.0"

__all__ = ["DeploymentContext", "Policy", "Report", "__version__", "audit"]

# The Python API, imported on first use so that `import openaudit` stays cheap:
#     import openaudit
#     report = openaudit.audit("org/name", context={"mau": "800M", "regions": ["EU"]}, offline=True)
_LAZY = {"Report": "openaudit.model", "DeploymentContext": "openaudit.context", "Policy": "openaudit.policy"}


def __getattr__(name: str):
    import importlib

    if name == "audit":  # the submodule openaudit.audit is callable: openaudit.audit(target, ...) -> Report
        return importlib.import_module("openaudit.audit")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'openaudit' has no attribute {name!r}")
