"""The content model, the course-folder loader and the Markdown renderer."""
