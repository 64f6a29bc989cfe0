"""Dagster definitions: ingest assets -> @dbt_assets -> data-quality asset -> gate -> exports."""
