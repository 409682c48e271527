"""The privacy notice generated from the manifest, as markdown or HTML."""
