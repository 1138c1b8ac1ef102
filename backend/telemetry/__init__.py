"""Operations telemetry: OpenTelemetry traces of runs and requests, Prometheus metrics.

Submodules are imported where they are wired (the composition roots), so importing the settings
does not load OpenTelemetry.
"""
