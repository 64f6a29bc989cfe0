"""huizong (汇总): a warehouse for multi-level poverty-alleviation statistics."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

__all__ = ["PROJECT_ROOT", "DBT_PROJECT_DIR", "EXPECTATIONS_DIR"]
