"""gRPC adapters: thin servicers over server/services."""
