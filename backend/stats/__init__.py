"""The dashboard's figures: runs per hour by status, failure rate, run durations, tokens per day."""
