"""The media types of the files the services take and give (uploads, exports, reports)."""

from __future__ import annotations

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARQUET = "application/vnd.apache.parquet"
