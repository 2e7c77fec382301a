"""Demo data from real cities: ``python -m data_access.demo --projects N --months M --seed S``."""
from data_access.demo.generator import DEMO_PASSWORD, DemoSummary, build, generate

__all__ = ["DEMO_PASSWORD", "DemoSummary", "build", "generate"]
