"""The station over HTTP: the application (API, console, streams), the playout worker's
application, and running them under uvicorn."""
