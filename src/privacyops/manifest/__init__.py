"""The privacy manifest: schema, loader with located errors, taxonomy and lint."""
