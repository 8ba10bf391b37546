"""The projection engine: the runner, the batch row cache and writers, tracked positions,
locks and leases, quarantines, and the read-model database itself."""
