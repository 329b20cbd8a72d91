"""Generated protobuf/gRPC code. Generated, do not edit."""
