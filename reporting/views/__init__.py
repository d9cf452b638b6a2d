"""The reporting pages: the PRISMA diagram and its drill-down, exports (`prisma.py`), counts from outside the app
(`outside.py`)."""
