"""The project's own example department: template, roster and Amion month, made by code."""
