"""The web kit every app's pages and API use: one module per concern.

- ``schemas``: the API's error shape, ids, dates and text that the database can store;
- ``forms``: a service's refusal shown on a form;
- ``routes``: the addresses of an object type's pages (its list, a new one, one object, its actions), which the
  apps' URL modules list with ``object_paths``;
- ``http``: missing-or-out-of-scope as a 404, the HTMX check and the pager;
- ``xlsx``: a worksheet whose cells a spreadsheet never runs as formulas;
- ``pdf``: the fonts and the page furniture of every PDF the platform prints.
"""
