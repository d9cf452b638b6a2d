"""Data charting: extraction forms (versioned), pilot, dual independent extraction, consensus, summaries, exports.

Contracts other apps may rely on:
  charting.selectors.chartable_records(*, review)      the studies that may be charted (screening's included)
  charting.selectors.final_values(*, form, record_ids=None) -> {record_id: {field_key: value}}
  charting.exports.export_files(*, review)             [(file name, rows)] for a review bundle
  charting.exports.charted_wide_rows / charted_long_rows / codebook_rows(*, form)   iterators of rows
  charting.exports.csv_lines(rows) / csv_response(rows, *, filename)                 CSV text / streaming response
"""
