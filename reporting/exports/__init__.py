"""Exports of a review for R, Stata, pandas, reference managers and for moving the review elsewhere.

Every export is a function returning an iterator of rows (or of text chunks), so the browser, the API, the
`export` command and the review bundle stream the same bytes without holding the whole review in memory.
"""
