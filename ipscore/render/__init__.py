"""Floor 4: results made into tables, files and circulars (terminal, csv, md, json, xlsx, docx)."""
