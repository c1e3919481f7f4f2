"""The files the report jobs produce: the papers that leave the system (the Ofsted-ready
plan, the committee progress report, the exceptions report) and the actions export.

- :mod:`reports.papers.registry`: which (kind, format) can be produced and the one
  renderer of each (``RENDERERS``, ``renderer_for``), and ``render_paper``, the entry
  point of the web, the Celery job and ``manage.py render_report``;
- :mod:`reports.papers.content`: what each paper says, worked out once for PDF and Word
  from :func:`reports.selectors.plan_snapshot`;
- :mod:`reports.papers.pdf` (WeasyPrint) and :mod:`reports.papers.docx` (python-docx):
  how it is laid out.
"""
