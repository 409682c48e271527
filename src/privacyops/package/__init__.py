"""The access and portability package: the subject's data as JSON and CSV, a cover letter, sealed at rest."""
