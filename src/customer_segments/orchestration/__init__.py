"""Dagster orchestration of the project: the daily build, publication and history backfill.

The definitions live in `customer_segments.orchestration.definitions` (`defs`); this
package imports nothing so that importing it never parses the dbt project.

    dagster dev -m customer_segments.orchestration.definitions
"""
