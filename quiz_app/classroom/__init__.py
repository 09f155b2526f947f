"""The classroom: a class's answers collected (export, import) and reported per question,
per student and per misconception. Domain code: it knows nothing of the UI or torch.

Modules: ``answers`` (which answers count: database and export files, first/last/all),
``stats`` (facility, discrimination, options, dubious questions), ``report`` (the report
as JSON-ready data), ``export`` (the portable answers file), ``importing`` (files merged
into the database) and ``render`` (text and CSV). The SQL is in
:mod:`quiz_app.progress.class_queries`.
"""

from quiz_app.classroom.answers import ATTEMPTS, Selection, Tally, parse_since
from quiz_app.classroom.export import ExportFile, ExportRefused, read_export, write_export
from quiz_app.classroom.importing import Imported, import_file
from quiz_app.classroom.render import format_report, write_csv
from quiz_app.classroom.report import report_data

__all__ = [
    "ATTEMPTS",
    "ExportFile",
    "ExportRefused",
    "Imported",
    "Selection",
    "Tally",
    "format_report",
    "import_file",
    "parse_since",
    "read_export",
    "report_data",
    "write_csv",
    "write_export",
]
