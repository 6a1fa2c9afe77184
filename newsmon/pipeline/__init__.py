"""Stream machinery of the worker that needs no Faust: batches, chunks and their order."""
